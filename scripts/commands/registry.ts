import { Command } from "../lib/cli";
export function command(): Command { return new Command("registry").description("stub"); }
