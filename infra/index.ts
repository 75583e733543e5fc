/**
 * mDetect pipeline: the composition root. Reads like the architecture diagram, top to bottom.
 */
import { loadConfig } from "./config";
import { applyCostTags } from "./tagging";
import { DataKey } from "./encryption";

const config = loadConfig();
applyCostTags(config.tags);

const dataKey = new DataKey("mdetect", { description: `mDetect ${config.stack}: data lake, stream, topics, registry, audit` });

export const region = config.region;
export const dataKeyArn = dataKey.arn;
