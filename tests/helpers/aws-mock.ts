/**
 * aws-sdk-client-mock stubs the client class's prototype for the whole process. Creating the
 * stub when a describe block is defined (module load) lets one file's restore() undo another
 * file's stub, so stubs live exactly as long as their describe block runs.
 */
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";

export function mockedDuring<T>(client: new (...args: any[]) => T): () => AwsClientStub<T> {
    let stub: AwsClientStub<T> | undefined;
    before(() => { stub = mockClient(client as any) as unknown as AwsClientStub<T>; });
    afterEach(() => stub?.reset());
    after(() => stub?.restore());
    return () => {
        if (!stub) throw new Error("mockedDuring: the stub exists only while its describe block runs");
        return stub;
    };
}
