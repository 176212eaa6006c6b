import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { eventRoot } from '../../../src/views/tensorboard/eventSchema.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/tensorboard/', import.meta.url));

describe('eventSchema', () => {
  it('every field the writer uses has the name, number, type and rule of the published .proto', () => {
    const published = new protobuf.Root();
    published.resolvePath = (_origin, target) => FIXTURES + target.replace(/^.*\//, '');
    published.loadSync('event.proto', { keepCase: true }).resolveAll();
    const names = ['tensorboard.Event', 'tensorboard.SourceMetadata', 'tensorboard.Summary', 'tensorboard.Summary.Value', 'tensorboard.HistogramProto'];
    let checked = 0;
    for (const name of names) {
      const ours = eventRoot.lookupType(name);
      const theirs = published.lookupType(name);
      for (const field of ours.fieldsArray) {
        const ref = theirs.fields[field.name];
        expect(ref, `${name}.${field.name} exists in the published proto`).toBeDefined();
        expect([field.id, field.type, field.repeated, field.partOf?.name ?? null], `${name}.${field.name}`).toEqual([
          ref.id,
          ref.type,
          ref.repeated,
          ref.partOf?.name ?? null,
        ]);
        checked++;
      }
    }
    expect(checked).toBe(5 + 1 + 1 + 3 + 7);
  });
});
