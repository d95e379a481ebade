package org.territorypotential.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.delta.exceptions.ConcurrentAppendException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Lake.retryOnConflict without Spark: which failures are retried, how often, and what escapes. */
class ConflictRetryTest {
  /** A commit that fails with {@code failure} the first {@code failures} times, then returns its call count. */
  private static Supplier<Integer> failing(int failures, RuntimeException failure, AtomicInteger calls) {
    return () -> {
      int n = calls.incrementAndGet();
      if (n <= failures) {
        throw failure;
      }
      return n;
    };
  }

  @Test
  void conflictsAreRetriedUpToTheLimitAndOtherErrorsAreNot() {
    AtomicInteger calls = new AtomicInteger();
    ConcurrentAppendException conflict = new ConcurrentAppendException("files were added to partition [as_of=2024-06-30]");
    assertEquals(3, Lake.retryOnConflict("t", 3, failing(2, conflict, calls)), "third attempt commits");

    calls.set(0);
    assertSame(conflict, assertThrows(ConcurrentAppendException.class,
        () -> Lake.retryOnConflict("t", 1, failing(5, conflict, calls))));
    assertEquals(2, calls.get(), "one try plus one retry");

    calls.set(0);
    RuntimeException wrapped = new RuntimeException("job aborted", conflict);
    assertEquals(2, Lake.retryOnConflict("t", 3, failing(1, wrapped, calls)), "a wrapped conflict is a conflict");

    calls.set(0);
    IllegalStateException other = new IllegalStateException("CHECK constraint violated");
    assertSame(other, assertThrows(IllegalStateException.class, () -> Lake.retryOnConflict("t", 3, failing(1, other, calls))));
    assertEquals(1, calls.get(), "not a conflict: never retried");

    calls.set(0);
    assertThrows(ConcurrentAppendException.class, () -> Lake.retryOnConflict("t", 0, failing(1, conflict, calls)));
    assertEquals(1, calls.get(), "0 retries fails on the first conflict");
  }
}
