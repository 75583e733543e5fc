/**
 * Local SNS: the plan's topics and subscriptions behind a front that speaks the query protocol
 * the SDK uses (form-encoded `Action=Publish&...`, XML answers). A Publish is SigV4 verified,
 * evaluated as `sns:Publish` on the topic for the caller's role together with the topic policy,
 * and for an encrypted topic as kms:GenerateDataKey and kms:Decrypt on its key (the publisher
 * needs both; SNS calls KMS with kms:ViaService and the aws:sns:topicArn encryption context).
 * Services (CloudWatch alarms) publish in process with their service principal and source ARN,
 * so only the topic and key policies can allow them. The message is checked as SNS checks it
 * (Message required, 256 KiB with attributes, Subject of at most 100 printable ASCII
 * characters, at most 10 attributes, MessageStructure=json with a "default") and delivered to
 * every subscription whose filter policy matches (filter-policy.ts); e-mail subscriptions land
 * in the mailbox. Subscriptions are taken as confirmed (the local recipient confirms).
 * Denials: 403 AuthorizationError; KMS: 400 KMSAccessDenied; unknown topic: 404 NotFound.
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import * as http from "http";
import { randomUUID } from "crypto";
import { SimClock } from "./clock";
import { FilterPolicyScope, MessageAttribute, filterPolicyMatches, filterPolicyProblem } from "./filter-policy";
import { Authorizer } from "./iam";
import { closeServer, listenOnLoopback, readSigned } from "./json-front";
import { Mailbox } from "./mailbox";
import { KeyPlan, TopicPlan } from "./plan";
import { Principal, Principals } from "./principals";

/** Publish limits (API_Publish): the message with its attributes, the subject, the attribute count. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT_CHARS = 100;
const MAX_ATTRIBUTES = 10;

export interface PublishInput {
    readonly TopicArn?: string;
    readonly Message?: string;
    readonly Subject?: string;
    readonly MessageStructure?: string;
    readonly MessageAttributes?: Readonly<Record<string, MessageAttribute>>;
}

export class SnsError extends Error {
    constructor(readonly code: string, readonly status: number, message: string) { super(message); this.name = code; }
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const NS = "http://sns.amazonaws.com/doc/2010-03-31/";

/** The query protocol's `MessageAttributes.entry.N.Name/Value.DataType/Value.StringValue` pairs as a map. */
export function parsePublish(form: URLSearchParams): PublishInput {
    const attributes: Record<string, MessageAttribute> = {};
    for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
        const at = `MessageAttributes.entry.${n}`;
        attributes[form.get(`${at}.Name`)!] = {
            DataType: form.get(`${at}.Value.DataType`) ?? "",
            ...(form.has(`${at}.Value.StringValue`) ? { StringValue: form.get(`${at}.Value.StringValue`)! } : {}),
            ...(form.has(`${at}.Value.BinaryValue`) ? { BinaryValue: form.get(`${at}.Value.BinaryValue`)! } : {}),
        };
    }
    const get = (k: string) => form.get(k) ?? undefined;
    return { TopicArn: get("TopicArn"), Message: get("Message"), Subject: get("Subject"), MessageStructure: get("MessageStructure"), MessageAttributes: attributes };
}

/** What SNS refuses in a Publish (InvalidParameter / InvalidParameterValue), or undefined. */
export function publishProblem(input: PublishInput): string | undefined {
    if (input.Message === undefined || input.Message === "") return "Invalid parameter: Empty message";
    const attributes = Object.entries(input.MessageAttributes ?? {});
    if (attributes.length > MAX_ATTRIBUTES) return `Invalid parameter: Number of message attributes [${attributes.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`;
    const size = Buffer.byteLength(input.Message) + attributes.reduce((n, [k, a]) => n + Buffer.byteLength(k) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? ""), 0);
    if (size > MAX_MESSAGE_BYTES) return `Invalid parameter: Message too long (${size} bytes, at most ${MAX_MESSAGE_BYTES})`;
    if (input.Subject !== undefined && (input.Subject.length === 0 || input.Subject.length > MAX_SUBJECT_CHARS || !/^[\x20-\x7e]+$/.test(input.Subject))) {
        return "Invalid parameter: Subject";
    }
    for (const [name, a] of attributes) {
        if (!/^(String|Number|Binary)(\..+)?$/.test(a.DataType)) return `Invalid parameter: The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`;
        if (a.StringValue === undefined && a.BinaryValue === undefined) return `Invalid parameter: The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${a.DataType}'.`;
    }
    if (input.MessageStructure !== undefined) {
        if (input.MessageStructure !== "json") return "Invalid parameter: MessageStructure";
        let parsed: unknown;
        try { parsed = JSON.parse(input.Message); } catch { return "Invalid parameter: Message Structure - JSON message body failed to parse"; }
        if (typeof (parsed as Record<string, unknown>)?.default !== "string") return "Invalid parameter: Message Structure - No default entry in JSON message body";
    }
    return undefined;
}

export interface SnsHooks {
    onPublish?(call: { topic?: TopicPlan; principal: Principal; bytesIn: number; status: number; deliveries: number }): void;
}

export class LocalSns {
    private server?: http.Server;
    url = "";
    hooks: SnsHooks = {};
    /** Every accepted message, for tests: topic, id, and the subscriptions it was delivered to. */
    readonly published: { topicArn: string; messageId: string; deliveredTo: string[] }[] = [];

    constructor(private readonly topics: readonly TopicPlan[], private readonly keys: readonly KeyPlan[], private readonly region: string,
        private readonly principals: Principals, private readonly authorizer: Authorizer, readonly mailbox: Mailbox, private readonly clock: SimClock) {
        // SNS refuses such a policy when the subscription is created: the plan would not deploy.
        for (const t of topics) {
            for (const s of t.subscriptions) {
                const problem = s.filterPolicy && filterPolicyProblem(s.filterPolicy, s.filterPolicyScope as FilterPolicyScope);
                if (problem) throw new Error(`topic ${t.name}, subscription ${s.protocol}:${s.endpoint}: ${problem}`);
            }
        }
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            this.serve(req).then((body) => ({ status: 200, body }), (err) => {
                const e = err instanceof SnsError ? err : new SnsError("InternalError", 500, String(err?.message ?? err));
                const type = e.status >= 500 ? "Receiver" : "Sender";
                return { status: e.status, body: `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${xml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>` };
            }).then(({ status, body }) => {
                res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(body) });
                res.end(body);
            });
        });
        this.url = await listenOnLoopback(this.server);
        return this.url;
    }

    stop(): Promise<void> {
        return closeServer(this.server);
    }

    private async serve(req: http.IncomingMessage): Promise<string> {
        const { body, verified } = await readSigned(req, this.principals);
        if (!verified.ok) throw new SnsError(verified.code === "SignatureDoesNotMatch" ? "SignatureDoesNotMatch" : "InvalidClientTokenId", 403, verified.message);
        if (verified.service !== "sns") throw new SnsError("SignatureDoesNotMatch", 403, `credential scope names ${verified.service}, not sns`);
        const form = new URLSearchParams(body.toString("utf8"));
        const action = form.get("Action");
        if (action !== "Publish") throw new SnsError("InvalidAction", 400, `The action ${action} is not valid for this endpoint.`);
        const messageId = await this.publish(verified.principal, parsePublish(form), {}, body.length);
        return `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
    }

    /**
     * Publishes as `principal` (a function's session, or a service with `context` naming its
     * aws:SourceArn and aws:SourceAccount); the message id, or the SnsError SNS would answer.
     */
    async publish(principal: Principal, input: PublishInput, context: Readonly<Record<string, string>> = {}, bytesIn = Buffer.byteLength(input.Message ?? "")): Promise<string> {
        const topic = this.topics.find((t) => t.arn === input.TopicArn);
        const report = (status: number, deliveries = 0) => this.hooks.onPublish?.({ topic, principal, bytesIn, status, deliveries });
        try {
            if (!topic) throw new SnsError("NotFound", 404, "Topic does not exist");
            const decision = await this.authorizer.authorize({ principal, action: "sns:Publish", resource: topic.arn, resourcePolicy: topic.policy, context });
            if (!decision.allowed) throw new SnsError("AuthorizationError", 403, `User: ${principal.sessionArn} is not authorized to perform: SNS:Publish on resource: ${topic.arn} (${decision.result})`);
            if (topic.keyArn) {
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                    const kms = await this.authorizer.authorize({
                        principal, action, resource: topic.keyArn, resourcePolicy: this.keys.find((k) => k.arn === topic.keyArn)?.policy,
                        context: { ...context, "kms:ViaService": `sns.${this.region}.amazonaws.com`, "kms:EncryptionContext:aws:sns:topicArn": topic.arn },
                    });
                    if (!kms.allowed) throw new SnsError("KMSAccessDenied", 400, `User: ${principal.sessionArn} is not authorized to perform: ${action} on resource: ${topic.keyArn} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)`);
                }
            }
            const problem = publishProblem(input);
            if (problem) throw new SnsError("InvalidParameter", 400, problem);
        } catch (err) {
            report((err as SnsError).status ?? 500);
            throw err;
        }
        const messageId = randomUUID();
        const deliveredTo: string[] = [];
        const structured = input.MessageStructure === "json" ? JSON.parse(input.Message!) as Record<string, string> : undefined;
        for (const s of topic.subscriptions) {
            const body = structured ? structured[s.protocol] ?? structured.default : input.Message!;
            if (s.filterPolicy && !filterPolicyMatches(s.filterPolicy, s.filterPolicyScope as FilterPolicyScope, { body, attributes: input.MessageAttributes ?? {} })) continue;
            deliveredTo.push(`${s.protocol}:${s.endpoint}`);
            if (s.protocol === "email") {
                this.mailbox.deliver({
                    to: s.endpoint, from: `${topic.displayName ?? topic.name} <no-reply@sns.amazonaws.com>`,
                    subject: input.Subject ?? "AWS Notification Message",
                    body: `${body}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps://sns.${this.region}.amazonaws.com/unsubscribe.html?SubscriptionArn=${topic.arn}:${messageId}&Endpoint=${s.endpoint}\n`,
                    at: this.clock.now(), topicArn: topic.arn, messageId,
                });
            }
        }
        this.published.push({ topicArn: topic.arn, messageId, deliveredTo });
        report(200, deliveredTo.length);
        return messageId;
    }
}
