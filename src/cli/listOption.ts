// Moved to src/options/ (issue 14); this re-export goes once nothing imports it.
export * from '../options/listOf.ts';
