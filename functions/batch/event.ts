/**
 * The EventBridge "Object Created" event S3 sends for the data lake, reduced to what batch
 * ingest needs. Anything else is rejected with a reason rather than half-processed.
 */
import { LambdaError } from "../errors";
export interface ObjectCreatedEvent {
    readonly source?: string;
    readonly "detail-type"?: string;
    readonly detail?: {
        readonly bucket?: { readonly name?: string };
        readonly object?: { readonly key?: string; readonly size?: number; readonly "version-id"?: string };
    };
}

export interface SourceObject {
    readonly bucket: string;
    /** Object keys in EventBridge events are not URL-encoded (unlike S3's direct notifications). */
    readonly key: string;
    /** Absent when the bucket is not versioned. */
    readonly versionId?: string;
    readonly size?: number;
}

export class InvalidEventError extends LambdaError {
    constructor(message: string) { super("InvalidEventError", message); }
}

export function parseObjectCreated(event: ObjectCreatedEvent, expectedBucket: string): SourceObject {
    if (event?.source !== "aws.s3" || event["detail-type"] !== "Object Created") {
        throw new InvalidEventError(`not an S3 Object Created event (source ${JSON.stringify(event?.source)}, detail-type ${JSON.stringify(event?.["detail-type"])})`);
    }
    const bucket = event.detail?.bucket?.name;
    const key = event.detail?.object?.key;
    if (typeof bucket !== "string" || typeof key !== "string") throw new InvalidEventError("event has no detail.bucket.name or detail.object.key");
    if (bucket !== expectedBucket) throw new InvalidEventError(`event for bucket ${JSON.stringify(bucket)}, this function serves ${JSON.stringify(expectedBucket)}`);
    const versionId = event.detail?.object?.["version-id"];
    const size = event.detail?.object?.size;
    return { bucket, key, versionId: typeof versionId === "string" && versionId !== "" ? versionId : undefined, size: typeof size === "number" ? size : undefined };
}
