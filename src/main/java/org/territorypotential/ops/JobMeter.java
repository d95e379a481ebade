package org.territorypotential.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;

/**
 * Where a stage's time goes: Spark jobs and tasks started, and how long at least one job was
 * running. Wall time minus that is driver-only time (planning, Delta log and metastore calls,
 * collecting results): the fixed cost per query that issue 17 measures. One listener per
 * SparkContext; {@link #snapshot} drains the listener bus first, so every finished job counts.
 */
public final class JobMeter extends SparkListener {
  private static final Map<SparkContext, JobMeter> METERS = new ConcurrentHashMap<>();

  /** What the meter had counted at one moment; subtract two to get a stage's share. */
  public record Snapshot(long jobs, long tasks, long busyMillis, long wallNanos) {
    public Snapshot minus(Snapshot before) {
      return new Snapshot(jobs - before.jobs, tasks - before.tasks, busyMillis - before.busyMillis,
          wallNanos - before.wallNanos);
    }

    public double wallSeconds() {
      return wallNanos / 1e9;
    }

    public double jobSeconds() {
      return busyMillis / 1e3;
    }

    /** Wall time with no Spark job running (never negative: event times and the clock differ by a few ms). */
    public double driverSeconds() {
      return Math.max(0, wallSeconds() - jobSeconds());
    }

    /** "312 Spark jobs (1,204 tasks), 90.2 s in jobs, 56.8 s driver-only". */
    public String describe() {
      return String.format("%,d Spark jobs (%,d tasks), %.1f s in jobs, %.1f s driver-only", jobs, tasks, jobSeconds(),
          driverSeconds());
    }
  }

  private final SparkContext sc;
  private long jobs;
  private long tasks;
  private int running;
  private long busySince;
  private long busyMillis;

  private JobMeter(SparkContext sc) {
    this.sc = sc;
  }

  /** The meter of this context, attached on first use. */
  public static JobMeter of(SparkContext sc) {
    return METERS.computeIfAbsent(sc, c -> {
      JobMeter m = new JobMeter(c);
      c.addSparkListener(m);
      return m;
    });
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart e) {
    jobs++;
    if (running++ == 0) {
      busySince = e.time();
    }
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd e) {
    if (running > 0 && --running == 0) {
      busyMillis += e.time() - busySince;
    }
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted e) {
    tasks += e.stageInfo().numTasks();
  }

  /** The counts so far, after the listener bus has delivered every event posted before this call. */
  public Snapshot snapshot() {
    try {
      sc.listenerBus().waitUntilEmpty(TimeUnit.SECONDS.toMillis(30));
    } catch (TimeoutException e) {
      // counts may miss the last events; never fail a run over a measurement
    }
    synchronized (this) {
      long busy = busyMillis + (running > 0 ? System.currentTimeMillis() - busySince : 0);
      return new Snapshot(jobs, tasks, busy, System.nanoTime());
    }
  }
}
