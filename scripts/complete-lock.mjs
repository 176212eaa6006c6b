#!/usr/bin/env node
// The registry this project installs from serves only the linux-x64 builds of @duckdb/node-bindings,
// so `npm install` leaves the other platforms' optional packages out of package-lock.json, and
// `npm ci` then refuses the lock as out of sync. This adds those entries back with their os/cpu
// constraints (npm skips them on other platforms without fetching). Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const platform = (suffix) => {
  const [os, cpu, musl] = suffix.split('-');
  return { os: [os], cpu: [cpu], ...(os === 'linux' ? { libc: [musl === 'musl' ? 'musl' : 'glibc'] } : {}) };
};
let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const m = /^@duckdb\/node-bindings-(.+)$/.exec(name);
    const flat = `node_modules/${name}`;
    if (!m || lock.packages[flat]) continue;
    lock.packages[flat] = { version, dev: entry.dev, optional: true, ...platform(m[1]), license: 'MIT' };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} platform entries`);
