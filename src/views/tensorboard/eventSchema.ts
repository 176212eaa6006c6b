import protobuf from 'protobufjs';

/**
 * The part of TensorBoard's published protos (tensorboard/compat/proto/event.proto, summary.proto,
 * histogram.proto) that our event files use, as a protobufjs reflection descriptor. Field names,
 * numbers and types are those of the published files; test/fixtures/tensorboard/ keeps the full
 * .proto text and test/views/tensorboard/eventSchema.test.ts checks every field here against it.
 * Kept in code rather than loaded from .proto files so the runtime reads no files for it.
 */
const DESCRIPTOR = {
  nested: {
    tensorboard: {
      nested: {
        HistogramProto: {
          fields: {
            min: { type: 'double', id: 1 },
            max: { type: 'double', id: 2 },
            num: { type: 'double', id: 3 },
            sum: { type: 'double', id: 4 },
            sum_squares: { type: 'double', id: 5 },
            bucket_limit: { rule: 'repeated', type: 'double', id: 6, options: { packed: true } },
            bucket: { rule: 'repeated', type: 'double', id: 7, options: { packed: true } },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simple_value', 'histo'] } },
              fields: {
                tag: { type: 'string', id: 1 },
                simple_value: { type: 'float', id: 2 },
                histo: { type: 'HistogramProto', id: 5 },
              },
            },
          },
        },
        SourceMetadata: {
          fields: { writer: { type: 'string', id: 1 } },
        },
        Event: {
          oneofs: { what: { oneof: ['file_version', 'summary'] } },
          fields: {
            wall_time: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            file_version: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
            source_metadata: { type: 'SourceMetadata', id: 10 },
          },
        },
      },
    },
  },
};

/** Reflection root holding `tensorboard.Event` and the messages it uses. */
export const eventRoot: protobuf.Root = protobuf.Root.fromJSON(DESCRIPTOR);
export const EventType: protobuf.Type = eventRoot.lookupType('tensorboard.Event');
