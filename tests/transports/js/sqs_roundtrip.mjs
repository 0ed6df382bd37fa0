// The AWS SDK for JavaScript v3 against pytest_sqsmock's HTTP server.
// Usage: node sqs_roundtrip.mjs <endpoint-url> [<access-key-id> <secret-access-key>]; prints one JSON
// object for the test to check. The server verifies the SDK's SigV4 signature when the key is one the
// simulation issued (sqs_mock.credentials()).
// The SDK checks the MD5 digests of SendMessage, SendMessageBatch and ReceiveMessage answers
// and throws on a mismatch, so every call below also checks our digests.
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

const endpoint = process.argv[2];
const credentials = {
  accessKeyId: process.argv[3] ?? "AKIDEXAMPLE",
  secretAccessKey: process.argv[4] ?? "secret",
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// Set-up calls go to the endpoint; like most application code, the worker client has no
// endpoint at all: the SDK sends each call to the host of its QueueUrl.
const admin = new SQSClient({ region: "us-east-1", endpoint, credentials, logger: quiet });
const worker = new SQSClient({ region: "us-east-1", credentials, logger: quiet });

const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: "js-jobs" }));
if (new URL(QueueUrl).origin !== new URL(endpoint).origin) {
  // Never let the worker client follow a URL off this machine.
  throw new Error(`queue URL ${QueueUrl} does not point at ${endpoint}`);
}

const bodies = ["hello from node", "grüße, 你好, 🎉", "<xml & \"quotes\">\r\n"];
const sent = await worker.send(
  new SendMessageCommand({
    QueueUrl,
    MessageBody: bodies[0],
    MessageAttributes: {
      kind: { DataType: "String", StringValue: "greeting" },
      count: { DataType: "Number", StringValue: "3" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
    },
  }),
);
const batch = await worker.send(
  new SendMessageBatchCommand({
    QueueUrl,
    Entries: bodies.slice(1).map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })),
  }),
);

const received = [];
while (received.length < bodies.length) {
  const { Messages = [] } = await worker.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  if (Messages.length === 0) break;
  received.push(...Messages);
}
await worker.send(
  new DeleteMessageBatchCommand({
    QueueUrl,
    Entries: received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
  }),
);
const { Attributes } = await worker.send(
  new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
);

let missing = null;
try {
  await admin.send(new GetQueueUrlCommand({ QueueName: "missing" }));
} catch (error) {
  missing = { name: error.name, code: error.Code, status: error.$metadata?.httpStatusCode };
}

console.log(
  JSON.stringify({
    md5Checked: typeof worker.config.md5 === "function" && worker.config.md5 !== false,
    queueUrl: QueueUrl,
    sentId: sent.MessageId,
    batchOk: (batch.Successful ?? []).length,
    batchFailed: (batch.Failed ?? []).length,
    received: received.map((m) => ({
      id: m.MessageId,
      body: m.Body,
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          value.StringValue ?? Buffer.from(value.BinaryValue).toString("hex"),
        ]),
      ),
      receiveCount: m.Attributes?.ApproximateReceiveCount,
    })),
    left: Attributes.ApproximateNumberOfMessages,
    missing,
  }),
);
