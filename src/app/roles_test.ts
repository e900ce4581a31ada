import assert from "node:assert/strict";
import {
  consumerTopics,
  deadLetterSettings,
  defaultGroup,
  defaultHttpPort,
  forbiddenRouteTargets,
  lagDefaultGroups,
  roles,
  roleTopics,
  type Topics,
  topicSettings,
} from "./roles.ts";
import { settings } from "./settings.ts";

const topics: Topics = {
  inbox: "in",
  commandCenterDlq: "cc-dlq",
  service1: "s1",
  service1Dlq: "s1-dlq",
  service2: "s2",
  service2Dlq: "s2-dlq",
};

Deno.test("the role table lists the four roles in the order --help names them", () => {
  assert.deepEqual(roles, ["publisher", "command-center", "service-1", "service-2"]);
});

Deno.test("the topic settings are each role's input then its dead-letter topic, all settings with a variable", () => {
  assert.deepEqual(topicSettings, [
    "inbox",
    "commandCenterDlq",
    "service1",
    "service1Dlq",
    "service2",
    "service2Dlq",
  ]);
  assert.deepEqual(deadLetterSettings, ["commandCenterDlq", "service1Dlq", "service2Dlq"]);
  for (const name of topicSettings) assert.match(settings[name].env, /_TOPIC$/, name);
});

Deno.test("no route may target the inbox or a dead-letter topic, while the services' inputs stay routable", () => {
  assert.deepEqual(forbiddenRouteTargets(topics), ["in", "cc-dlq", "s1-dlq", "s2-dlq"]);
});

Deno.test("chain lag's default groups and their topics are the consuming roles' own", () => {
  assert.deepEqual(lagDefaultGroups, ["command-center", "service-1", "service-2"]);
  assert.deepEqual(consumerTopics(topics), [
    { role: "command-center", group: "command-center", topic: "in" },
    { role: "service-1", group: "service-1", topic: "s1" },
    { role: "service-2", group: "service-2", topic: "s2" },
  ]);
});

Deno.test("roleTopics() gives a role its input and dead-letter topic", () => {
  assert.deepEqual(roleTopics("service-1", topics), { input: "s1", deadLetter: "s1-dlq" });
  assert.deepEqual(roleTopics("command-center", topics), { input: "in", deadLetter: "cc-dlq" });
});

Deno.test("each role has its HTTP port and group; a command has no port and its name as group", () => {
  assert.deepEqual(roles.map(defaultHttpPort), ["off", 9400, 9401, 9402]);
  assert.deepEqual(roles.map(defaultGroup), roles);
  assert.equal(defaultHttpPort("init"), "off");
  assert.equal(defaultGroup("lag"), "lag");
});
