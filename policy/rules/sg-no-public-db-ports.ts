import type { ResourceRule, ResourceView, Violation } from "../lib/types";
import { isRecord, list } from "../lib/values";

interface Config { ports: number[] }

const OPEN = new Set(["0.0.0.0/0", "::/0"]);
/** Protocol "-1" (or "all") opens every port. */
const ALL_PROTOCOLS = new Set(["-1", "all"]);

interface Ingress { fromPort?: unknown; toPort?: unknown; protocol?: unknown; cidrs: unknown[] }

/** Ingress entries in the shapes of the three resource types that can open a port. */
function ingresses(r: ResourceView): Ingress[] {
    const p = r.props;
    switch (r.type) {
        case "aws:ec2/securityGroup:SecurityGroup":
            return list(p.ingress).filter(isRecord).map((i) => ({ fromPort: i.fromPort, toPort: i.toPort, protocol: i.protocol, cidrs: [...list(i.cidrBlocks), ...list(i.ipv6CidrBlocks)] }));
        case "aws:ec2/securityGroupRule:SecurityGroupRule":
            return p.type === "ingress" ? [{ fromPort: p.fromPort, toPort: p.toPort, protocol: p.protocol, cidrs: [...list(p.cidrBlocks), ...list(p.ipv6CidrBlocks)] }] : [];
        default:
            return [{ fromPort: p.fromPort, toPort: p.toPort, protocol: p.ipProtocol, cidrs: [p.cidrIpv4, p.cidrIpv6] }];
    }
}

function exposedPorts(i: Ingress, ports: number[]): number[] {
    if (!i.cidrs.some((c) => OPEN.has(String(c)))) return [];
    if (ALL_PROTOCOLS.has(String(i.protocol))) return ports;
    const from = Number(i.fromPort ?? 0);
    const to = Number(i.toPort ?? from);
    return ports.filter((port) => port >= from && port <= to);
}

export const rule: ResourceRule<Config> = {
    kind: "resource",
    name: "sg-no-public-db-ports",
    description: "No security group opens a database port to the internet (0.0.0.0/0 or ::/0).",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Allow the database port only from the security group of the Lambdas that need it (sourceSecurityGroupId / referencedSecurityGroupId).",
    configSchema: { properties: { ports: { type: "array", items: { type: "integer" }, default: [3306, 5432, 1433, 1521, 27017, 6379, 5439, 9200, 11211], description: "Database and cache ports that must never be open to the internet." } } },
    types: ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
    check: (r, { config }): Violation[] => {
        const exposed = [...new Set(ingresses(r).flatMap((i) => exposedPorts(i, config.ports)))];
        return exposed.length === 0 ? [] : [{ message: `${r.name} opens port(s) ${exposed.join(", ")} to the internet` }];
    },
};
