import type { XmlElement } from './parseXml.ts';

/** Every element under (and including) `el` that `pred` accepts, in document order. */
export function all(el: XmlElement, pred: (e: XmlElement) => boolean, out: XmlElement[] = []): XmlElement[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

/** Elements named `name` with class `cls`. */
export const byClass = (el: XmlElement, name: string, cls: string) => all(el, (e) => e.name === name && e.attrs.class === cls);

/** All text under `el`, concatenated. */
export function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join('');
}

/** Vertices of an SVG path made of absolute M/L commands with space-separated coordinates. */
export function vertices(d: string): [number, number][] {
  return [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}
