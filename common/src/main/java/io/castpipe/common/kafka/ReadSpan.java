package io.castpipe.common.kafka;

import java.time.Instant;

/**
 * What a consumer has certainly read of one partition: every record written to it before
 * {@code appliedUpTo} has been applied, and the broker has answered without a break since
 * {@code answeringSince}. A silence in the data counts only from {@code answeringSince}: while the
 * broker was away, producers could not write either, and what they held back may still come.
 */
public record ReadSpan(Instant answeringSince, Instant appliedUpTo) {
}
