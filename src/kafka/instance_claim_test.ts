import assert from "node:assert/strict";
import { claimInstance, type GroupMember, instanceHolder, InstanceIdInUseError } from "./instance_claim.ts";

const member = (memberId: string, groupInstanceId: string | null): GroupMember => ({
  memberId,
  groupInstanceId,
  clientId: "chain-command-center",
  clientHost: "/127.0.0.1",
});

/** A clock that moves only when slept on, and a group whose members are listed per look. */
function fakeGroup(looks: GroupMember[][]) {
  let t = 0;
  let look = 0;
  return {
    looks: () => look,
    options: {
      groupId: "command-center",
      instanceId: "host-a-command-center",
      lapseMs: 3_500,
      pollMs: 250,
      signal: new AbortController().signal,
      describe: () => Promise.resolve(looks[Math.min(look++, looks.length - 1)]),
      now: () => t,
      sleep: (ms: number) => {
        t += ms;
        return Promise.resolve();
      },
    },
  };
}

Deno.test("instanceHolder() finds the member with the instance id, never a dynamic member", () => {
  const members = [member("m-1", null), member("m-2", "host-b"), member("m-3", "host-a")];
  assert.equal(instanceHolder(members, "host-a")?.memberId, "m-3");
  assert.equal(instanceHolder(members, "host-c"), undefined);
  assert.equal(instanceHolder([member("m-1", null)], ""), undefined);
});

Deno.test("claimInstance() goes ahead at once when no member holds the instance id", async () => {
  const group = fakeGroup([[member("m-1", "host-b-command-center"), member("m-2", null)]]);
  await claimInstance(group.options);
  assert.equal(group.looks(), 1);
});

Deno.test("claimInstance() waits for a predecessor that died without leaving until its session lapses", async () => {
  const dead = member("m-old", "host-a-command-center");
  const group = fakeGroup([[dead], [dead], [dead], []]);
  await claimInstance(group.options);
  assert.equal(group.looks(), 4);
});

Deno.test("claimInstance() fails with one line naming the id, the group and the holder when a live replica holds it", async () => {
  const live = member("m-live", "host-a-command-center");
  const group = fakeGroup([[live]]);
  const error = await claimInstance(group.options).then(() => undefined, (e) => e);
  assert.ok(error instanceof InstanceIdInUseError);
  assert.equal(error.retriable, false);
  assert.equal(error.holder.memberId, "m-live");
  assert.doesNotMatch(error.message, /\n/);
  assert.match(
    error.message,
    /instance id "host-a-command-center" is in use in consumer group "command-center"/,
  );
  assert.match(error.message, /m-live .*after 3\.5 s.*CHAIN_INSTANCE_ID/);
  // 3.5 s watched at 250 ms a look: the first look and 14 more.
  assert.equal(group.looks(), 15);
});

Deno.test("claimInstance() stops watching when the role is stopped", async () => {
  const controller = new AbortController();
  controller.abort();
  const group = fakeGroup([[member("m-live", "host-a-command-center")]]);
  await claimInstance({ ...group.options, signal: controller.signal });
  assert.equal(group.looks(), 1);
});
