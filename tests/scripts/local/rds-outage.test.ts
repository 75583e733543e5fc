/**
 * The fault "database unavailable": while the front says so, new connections are reset and the
 * sessions open when it started are dropped; afterwards clients sign in again as before.
 */
import { expect } from "chai";
import { FrontFixture, READ_USER, signIn, signInError, startFront } from "./rds-fixtures";

describe("local RDS front: database unavailable on demand", function () {
    let f: FrontFixture;
    before(async () => { f = await startFront(); });
    after(async () => { f.front.unavailable = () => false; await f?.stop(); });

    it("refuses connections and drops open sessions during the outage, and serves again after it", async () => {
        const principal = f.session("silence", [READ_USER]);
        const open = await signIn(f, principal, READ_USER);
        let down = true;
        f.front.unavailable = () => down;
        f.front.dropAll();
        const lost = await open.query("SELECT 1").then(() => undefined, (e) => e);
        expect(lost?.code ?? lost?.message, "the open session is gone").to.match(/ECONNRESET|PROTOCOL_CONNECTION_LOST|closed state/);
        open.destroy();
        const refused = await signInError(f, principal, READ_USER);
        expect(refused?.code).to.match(/ECONNRESET|PROTOCOL_CONNECTION_LOST/);
        down = false;
        const again = await signIn(f, principal, READ_USER);
        try {
            const [rows] = await again.query<any[]>("SELECT 1 AS up");
            expect(rows).to.deep.equal([{ up: 1 }]);
        } finally { await again.end(); }
    });
});
