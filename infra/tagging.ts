/**
 * Cost-allocation tags on every taggable resource, applied by one stack transformation so no
 * component can forget them. Chosen over provider defaultTags because the tags then show in
 * each resource's own inputs, where the policy pack, the offline plan and tests can see them.
 */
import * as pulumi from "@pulumi/pulumi";
import { TAGGABLE_TYPES } from "../policy/lib/taggable";

export function applyCostTags(tags: Readonly<Record<string, string>>): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!TAGGABLE_TYPES.has(args.type)) return undefined;
        const own = args.props["tags"];
        return {
            props: { ...args.props, tags: pulumi.output(own).apply((t) => ({ ...tags, ...(t ?? {}) })) },
            opts: args.opts,
        };
    });
}
