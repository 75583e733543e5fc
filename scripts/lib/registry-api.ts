/**
 * The client API as the registry CLI calls it: JSON over HTTPS with the staff user's ID token.
 * A 401 is answered once by renewing the session and retrying; problem+json bodies (RFC 9457,
 * functions/api/http.ts) and API Gateway's own `{"message"}` bodies become one-line errors.
 */
import { SessionConfig, idToken } from "./staff-session";

export class ApiError extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
        this.name = "ApiError";
    }
}

export interface ApiConfig extends SessionConfig {
    readonly apiUrl: string;
}

function describe(status: number, statusText: string, body: Record<string, unknown>): string {
    const detail = typeof body.detail === "string" ? body.detail : typeof body.message === "string" ? body.message : statusText;
    const title = typeof body.title === "string" ? body.title : statusText;
    const hint = status === 401 ? " (run `mdetect registry login`)" : status === 403 ? " (registry changes need the staff group)" : "";
    return `${status} ${title}: ${detail}${hint}`;
}

export async function callApi(config: ApiConfig, method: "GET" | "POST" | "PATCH", route: string, body?: object): Promise<unknown> {
    const url = new URL(route.replace(/^\//, ""), config.apiUrl.endsWith("/") ? config.apiUrl : `${config.apiUrl}/`);
    for (let attempt = 1; ; attempt++) {
        const token = await idToken(config, { forceRefresh: attempt > 1 });
        const res = await fetch(url, {
            method,
            headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
            body: body ? JSON.stringify(body) : undefined,
        }).catch((err) => {
            throw new ApiError(0, `cannot reach the API at ${url.origin}: ${(err as Error).cause ?? (err as Error).message}`);
        });
        if (res.status === 401 && attempt === 1) continue;
        const text = await res.text();
        let data: unknown;
        try { data = text ? JSON.parse(text) : undefined; } catch { data = { message: text.slice(0, 200) }; }
        if (!res.ok) throw new ApiError(res.status, describe(res.status, res.statusText, (data ?? {}) as Record<string, unknown>));
        return data;
    }
}
