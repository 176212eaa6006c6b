/** A strict little XML parser for tests: throws on anything not well-formed (unbalanced tags, bad attributes, stray `<` or `&`). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /^&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`parseXml: ${msg} at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  const skipWs = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const text = (end: string): string => {
    let out = '';
    while (i < source.length && !end.includes(source[i])) {
      if (source[i] === '&') {
        const m = ENTITY.exec(source.slice(i));
        if (!m) fail('bad entity');
        out += m![0];
        i += m![0].length;
      } else if (source[i] === '<') fail('stray <');
      else out += source[i++];
    }
    return out;
  };
  if (source.startsWith('<?xml')) {
    i = source.indexOf('?>') + 2;
    if (i < 2) fail('unterminated declaration');
  }
  skipWs();
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const m = NAME.exec(source.slice(i)) ?? fail('bad tag name');
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
    i += m[0].length;
    for (;;) {
      skipWs();
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const a = NAME.exec(source.slice(i)) ?? fail('bad attribute name');
      i += a[0].length;
      if (source[i] !== '=' || source[i + 1] !== '"') fail('expected ="');
      i += 2;
      if (Object.hasOwn(el.attrs, a[0])) fail(`duplicate attribute ${a[0]}`);
      el.attrs[a[0]] = text('"');
      if (source[i] !== '"') fail('unterminated attribute');
      i++;
    }
    for (;;) {
      el.text += text('<');
      if (i >= source.length) fail(`unclosed <${el.name}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        if (!source.startsWith(el.name + '>', i)) fail(`expected </${el.name}>`);
        i += el.name.length + 1;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  skipWs();
  if (i !== source.length) fail('content after the root element');
  return root;
}
