import { mailerContract } from "./mailer_contract.ts";
import { RecordingMailer } from "../testing/recording_mailer.ts";

mailerContract("RecordingMailer", (mode) => {
  const mailer = new RecordingMailer();
  if (mode !== "accepting") {
    mailer.failNext = Number.POSITIVE_INFINITY;
    mailer.failRetriable = mode === "refusing for now";
  }
  return Promise.resolve({
    mailer,
    probe: {
      received: () => Promise.resolve(mailer.sent.map((c) => ({ requestId: c.requestId, to: [c.to] }))),
    },
    cleanup: () => mailer.close(),
  });
});
