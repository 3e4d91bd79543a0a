package io.castpipe.transcoder.vod;

import java.time.Instant;

import io.castpipe.common.events.ErrorInfo;
import io.castpipe.common.events.VodJob;

/** A job given up on after every attempt failed; the {@code vod.jobs.dlq} record, keyed by video id. */
record DeadLetter(VodJob job, ErrorInfo error, int attempts, Instant at) {
}
