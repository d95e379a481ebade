package org.territorypotential.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.exceptions.ConcurrentAppendException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Lake's handling of concurrent writers, without Spark: which failures retryOnConflict retries, how
 * often, and what escapes; and which failed creates had committed their rows already.
 */
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

  /** An exception thrown from {@code frame} (class and method), as Spark would wrap the metastore's. */
  private static RuntimeException thrownFrom(String cls, String method, Throwable cause) {
    RuntimeException e = new RuntimeException("org.apache.hadoop.hive.ql.metadata.HiveException: " + cause, cause);
    e.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("org.apache.spark.sql.hive.HiveExternalCatalog", "createTable", "HiveExternalCatalog.scala", 245),
        new StackTraceElement(cls, method, "CreateDeltaTableCommand.scala", 242),
        new StackTraceElement("org.apache.spark.sql.DataFrameWriterV2", "create", "DataFrameWriterV2.scala", 201)});
    return e;
  }

  /** Delta's refusal inside CREATE TABLE IF NOT EXISTS (register) when another process registered the table first. */
  private static final class DeltaTableExists extends RuntimeException implements org.apache.spark.SparkThrowable {
    DeltaTableExists() {
      super("[DELTA_TABLE_ALREADY_EXISTS] Table `pgms_ops`.`job_runs` already exists.");
    }

    @Override
    public String getErrorClass() {
      return "DELTA_TABLE_ALREADY_EXISTS";
    }
  }

  @Test
  void aRegistrationThatAnotherProcessMadeFirstIsAlreadyExists() {
    // 3 Dec 2026, PostgresMetastoreTest: the losing writer's register() met Delta's refusal, wrapped by Lake
    assertTrue(Lake.alreadyExists(new IllegalStateException("wrapped", new DeltaTableExists())));
    assertFalse(Lake.alreadyExists(new IllegalStateException("metastore down", new java.io.IOException("refused"))));
  }

  @Test
  void aCreateWhoseRegistrationLostTheRaceHasCommittedItsRows() {
    String cmd = "org.apache.spark.sql.delta.commands.CreateDeltaTableCommand";
    Throwable exists = new org.apache.hadoop.hive.metastore.api.AlreadyExistsException("Table job_runs already exists");
    // CI, 2 Dec 2026: the Delta commit landed, then the other process had registered job_runs
    assertTrue(Lake.committedBeforeCatalog(thrownFrom(cmd, "runPostCommitUpdates", exists)));
    assertTrue(Lake.committedBeforeCatalog(new IllegalStateException("wrapped", thrownFrom(cmd, "updateCatalog", exists))));
    // the same refusal before the commit (Spark's stageCreate): nothing of ours was committed
    assertFalse(Lake.committedBeforeCatalog(thrownFrom(cmd, "handleCommit", exists)));
    // 3 Dec 2026, on PostgreSQL: Spark's own refusal from that registration (SessionCatalog saw the
    // other process's table), not wrapped: committed too, so not to be written again
    Throwable spark = new org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException("pgms_ops", "job_runs");
    spark.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("org.apache.spark.sql.catalyst.catalog.SessionCatalog", "createTable", "SessionCatalog.scala", 402),
        new StackTraceElement(cmd, "updateCatalog", "CreateDeltaTableCommand.scala", 687)});
    assertTrue(Lake.committedBeforeCatalog(spark));
    // another failure after the commit is not the race: it is thrown
    assertFalse(Lake.committedBeforeCatalog(thrownFrom(cmd, "runPostCommitUpdates", new java.io.IOException("metastore down"))));
  }
}
