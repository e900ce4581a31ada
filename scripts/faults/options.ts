/**
 * The suite's command line: `[--only <scenario|group>[,…]] [--orders N] [--rate R] [--seed S] [--list]`.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** What the command line asks for. */
export interface SuiteOptions {
  only?: string;
  orders: number;
  rate: number;
  seed: number;
  list: boolean;
}

/** The usage line. */
export const usage =
  "usage: deno task faults [--only <scenario|group>[,...]] [--orders N] [--rate R] [--seed S] [--list]";

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`);
  return n;
}

/** Parses `args`; throws a RangeError or TypeError naming what is wrong. */
export function parseSuiteOptions(args: string[]): SuiteOptions {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string" },
      orders: { type: "string", default: "1000" },
      rate: { type: "string", default: "150" },
      seed: { type: "string", default: "9" },
      list: { type: "boolean", default: false },
    },
  });
  return {
    only: values.only,
    orders: positiveInteger("orders", values.orders),
    rate: positiveInteger("rate", values.rate),
    seed: positiveInteger("seed", values.seed),
    list: values.list,
  };
}
