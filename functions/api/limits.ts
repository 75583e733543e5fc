/** Limits of the client API shared with the stack configuration (infra/config.ts checks the same bound). */

/** Presigned URLs are bearer tokens: an hour is the longest we let one live. */
export const PRESIGN_MAX_SECONDS = 3600;
/** 15 minutes: long enough to start a large download, short enough that a leaked link soon dies. */
export const PRESIGN_DEFAULT_SECONDS = 900;
