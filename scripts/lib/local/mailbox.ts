/**
 * Where the local cloud's e-mail goes: one inbox per address an SNS e-mail subscription names.
 * Tests read the inboxes; `mdetect local up` also writes each message as an .eml file under
 * `<directory>/<address>/` so a person can open it.
 */
import * as fs from "fs";
import * as path from "path";

export interface Mail {
    readonly to: string;
    readonly from: string;
    readonly subject: string;
    readonly body: string;
    /** Simulated time of delivery (ms). */
    readonly at: number;
    readonly topicArn: string;
    readonly messageId: string;
}

export class Mailbox {
    private readonly inboxes = new Map<string, Mail[]>();

    constructor(private readonly directory?: string) {}

    deliver(mail: Mail): void {
        const address = mail.to.toLowerCase();
        const inbox = this.inboxes.get(address) ?? [];
        inbox.push(mail);
        this.inboxes.set(address, inbox);
        if (this.directory) {
            const dir = path.join(this.directory, address.replace(/[^a-z0-9@._+-]/g, "_"));
            fs.mkdirSync(dir, { recursive: true });
            const headers = [`From: ${mail.from}`, `To: ${mail.to}`, `Subject: ${mail.subject}`, `Date: ${new Date(mail.at).toUTCString()}`, "Content-Type: text/plain; charset=UTF-8"];
            fs.writeFileSync(path.join(dir, `${String(inbox.length).padStart(4, "0")}-${mail.messageId}.eml`), `${headers.join("\r\n")}\r\n\r\n${mail.body.replace(/\r?\n/g, "\r\n")}\r\n`);
        }
    }

    /** Messages delivered to `address` (case-insensitive), oldest first. */
    inbox(address: string): readonly Mail[] {
        return this.inboxes.get(address.toLowerCase()) ?? [];
    }

    addresses(): string[] {
        return [...this.inboxes.keys()].sort();
    }
}
