/**
 * The one table of chain's roles: for each, the settings naming the topic it consumes and its dead-letter topic,
 * its consumer group and its HTTP port. What else knows the roles is derived from it: the role names, the six
 * topics config.ts resolves (and their order), the default HTTP ports and groups, the groups `chain lag` looks
 * at, the topics no route may target, the command center's dashboard lag, and the test chains' topics. The
 * settings themselves (flag, variable, default) stay in settings.ts; how each role is wired stays in
 * launch.ts's table, which the compiler makes name every role.
 *
 * @module
 */
/** What defines one role. */
export interface RoleSpec {
  /**
   * The setting (in settings.ts) naming the topic the role consumes; none for the publisher, which only writes.
   * config.ts reads it with `SettingReader.topic`, so a name that is not a setting does not compile.
   */
  readonly input?: string;
  /** The setting naming the role's dead-letter topic. */
  readonly deadLetter?: string;
  /** A route may target the role's input topic: false for the command center (a route there is a loop). */
  readonly routeTarget?: boolean;
  /** The consumer group when `KAFKA_GROUP_ID` is not set. */
  readonly group: string;
  /** The HTTP port when `HTTP_PORT` is not set. */
  readonly httpPort: number | "off";
}

/** Every role, in the order `--help` and the error messages list them. */
export const roleTable = {
  publisher: { group: "publisher", httpPort: "off" },
  "command-center": {
    input: "inbox",
    deadLetter: "commandCenterDlq",
    routeTarget: false,
    group: "command-center",
    httpPort: 9400,
  },
  "service-1": {
    input: "service1",
    deadLetter: "service1Dlq",
    routeTarget: true,
    group: "service-1",
    httpPort: 9401,
  },
  "service-2": {
    input: "service2",
    deadLetter: "service2Dlq",
    routeTarget: true,
    group: "service-2",
    httpPort: 9402,
  },
} as const satisfies Record<string, RoleSpec>;

/** One of the roles one `chain` executable can take. */
export type Role = keyof typeof roleTable;

type Spec = (typeof roleTable)[Role];
type InputOf<S> = S extends { input: infer T } ? T : never;
type DeadLetterOf<S> = S extends { deadLetter: infer T } ? T : never;

/** The setting of one of the chain's topics (a role's input or dead-letter topic). */
export type TopicSetting = InputOf<Spec> | DeadLetterOf<Spec>;

/** The Kafka topics of the chain, by setting name. */
export type Topics = Record<TopicSetting, string>;

const entries = Object.entries(roleTable) as [Role, RoleSpec][];

/** The roles one `chain` executable can take. */
export const roles = entries.map(([role]) => role);

/** The roles that consume a topic, in table order, with their input (and dead-letter) topic settings. */
const consumers = entries.flatMap(([role, spec]) =>
  spec.input === undefined ? [] : [{ role, spec, input: spec.input as TopicSetting }]
);

/** Every topic setting, each role's input then its dead-letter topic, in table order. */
export const topicSettings: readonly TopicSetting[] = entries.flatMap(([, spec]) =>
  [spec.input, spec.deadLetter].filter((s) => s !== undefined) as TopicSetting[]
);

/** The dead-letter topic settings, in table order. */
export const deadLetterSettings: readonly TopicSetting[] = entries.flatMap(([, spec]) =>
  spec.deadLetter === undefined ? [] : [spec.deadLetter as TopicSetting]
);

/** The consumer groups `chain lag` looks at by default: those of the roles that consume. */
export const lagDefaultGroups: readonly string[] = consumers.map(({ spec }) => spec.group);

/** A role's HTTP port when `HTTP_PORT` is not set; commands have none. */
export function defaultHttpPort(name: string): number | "off" {
  return (roleTable as Record<string, RoleSpec>)[name]?.httpPort ?? "off";
}

/** A role's consumer group when `KAFKA_GROUP_ID` is not set; a command's is its name. */
export function defaultGroup(name: string): string {
  return (roleTable as Record<string, RoleSpec>)[name]?.group ?? name;
}

/** The topic a role consumes and its dead-letter topic, from the resolved topics. */
export function roleTopics(
  role: Exclude<Role, "publisher">,
  topics: Topics,
): { input: string; deadLetter: string } {
  const spec: RoleSpec = roleTable[role];
  return { input: topics[spec.input as TopicSetting], deadLetter: topics[spec.deadLetter as TopicSetting] };
}

/** The topics no route may target: every dead-letter topic and the inputs a route must not lead back to. */
export function forbiddenRouteTargets(topics: Topics): string[] {
  return entries.flatMap(([, spec]) =>
    [spec.routeTarget === false ? spec.input : undefined, spec.deadLetter]
      .filter((s) => s !== undefined)
      .map((s) => topics[s as TopicSetting])
  );
}

/** Each consuming role's default group and the topic it consumes: where `chain lag` looks for chain's groups. */
export function consumerTopics(topics: Topics): { role: Role; group: string; topic: string }[] {
  return consumers.map(({ role, spec, input }) => ({ role, group: spec.group, topic: topics[input] }));
}
