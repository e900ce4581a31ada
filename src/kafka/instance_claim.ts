/**
 * The check a static member (KIP-345 `group.instance.id`) makes before it joins: is another member of its group
 * holding the same instance id? From outside, a live replica and a process killed a moment ago look alike (both
 * are listed until the session of the dead one lapses), so a holder is watched until it goes: one that goes was
 * a predecessor that died without leaving; one still listed after a session timeout and a heartbeat (plus a
 * margin) heartbeats, so it is a second replica with the same id, and this one must not start.
 *
 * @module
 */

/** A member of a consumer group, as DescribeGroups lists it. */
export interface GroupMember {
  memberId: string;
  /** Null or undefined for a dynamic member. */
  groupInstanceId?: string | null;
  clientId: string;
  clientHost: string;
}

/** The member holding `instanceId`, if any. */
export function instanceHolder(
  members: Iterable<GroupMember>,
  instanceId: string,
): GroupMember | undefined {
  for (const member of members) if (member.groupInstanceId === instanceId) return member;
  return undefined;
}

/** A live member of the group holds the instance id this process was given: it must not start. */
export class InstanceIdInUseError extends Error {
  /** Starting again gives the same answer while the other replica runs. */
  readonly retriable = false;
  readonly groupId: string;
  readonly instanceId: string;
  readonly holder: GroupMember;

  constructor(groupId: string, instanceId: string, holder: GroupMember, watchedMs: number) {
    super(
      `instance id "${instanceId}" is in use in consumer group "${groupId}": member ${holder.memberId} ` +
        `(client ${holder.clientId} at ${holder.clientHost}) was still in the group after ${
          (watchedMs / 1000).toFixed(1)
        } s, so another replica runs with this instance id; give each replica its own --instance-id / ` +
        `CHAIN_INSTANCE_ID`,
    );
    this.name = "InstanceIdInUseError";
    this.groupId = groupId;
    this.instanceId = instanceId;
    this.holder = holder;
  }
}

/** What {@link claimInstance} needs: the group's members, a clock, and how long a dead member stays listed. */
export interface ClaimOptions {
  groupId: string;
  instanceId: string;
  /** The group's members now. */
  describe(): Promise<GroupMember[]>;
  /** How long a member that died stays listed at most: its session timeout, a heartbeat and a margin. */
  lapseMs: number;
  /** How often the group is looked at again while a holder is listed. */
  pollMs: number;
  signal: AbortSignal;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Resolves when `instanceId` is free in the group (at once when no member holds it; when a holder goes within
 * `lapseMs`); throws {@link InstanceIdInUseError} when a holder is still listed after `lapseMs`. Resolves early
 * when `signal` aborts.
 */
export async function claimInstance(options: ClaimOptions): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  for (;;) {
    const holder = instanceHolder(await options.describe(), options.instanceId);
    if (!holder || options.signal.aborted) return;
    const watched = now() - started;
    if (watched >= options.lapseMs) {
      throw new InstanceIdInUseError(options.groupId, options.instanceId, holder, watched);
    }
    await sleep(Math.min(options.pollMs, options.lapseMs - watched));
  }
}
