package org.territorypotential.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Measures one block of work at a time: wall seconds, the peak of the JVM's used heap and of the
 * process's resident memory (sampled every few ms; in local mode the executors live in this JVM),
 * and the shuffle bytes its Spark tasks wrote (a listener sums {@code shuffleWriteMetrics.bytesWritten}
 * of the tasks of every Spark stage submitted under the block's label, a thread-local job property).
 */
final class StageMeter extends SparkListener implements AutoCloseable {
  static final String PROPERTY = "tp.bench.stage";
  static final String UNLABELLED = "(no label)";

  /** What {@link #measure} saw: seconds, peak used heap and peak RSS in bytes (-1 = unknown), shuffle bytes written. */
  record Measured<T>(T value, double seconds, long peakHeap, long peakRss, long shuffleBytes) {}

  private final SparkContext sc;
  private final Map<Integer, String> stageLabels = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> shuffleBytes = new ConcurrentHashMap<>();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeap = new AtomicLong();
  private final AtomicLong peakRss = new AtomicLong();
  private final ScheduledExecutorService sampler;

  StageMeter(SparkContext sc, long sampleMillis) {
    this.sc = sc;
    sc.addSparkListener(this);
    sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-memory-sampler");
      t.setDaemon(true);
      return t;
    });
    sampler.scheduleAtFixedRate(this::sample, 0, Math.max(1, sampleMillis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    String label = e.properties() == null ? null : e.properties().getProperty(PROPERTY);
    stageLabels.put(e.stageInfo().stageId(), label == null ? UNLABELLED : label);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    TaskMetrics m = e.taskMetrics();
    if (m != null) {
      shuffleBytes.computeIfAbsent(stageLabels.getOrDefault(e.stageId(), UNLABELLED), k -> new LongAdder())
          .add(m.shuffleWriteMetrics().bytesWritten());
    }
  }

  /**
   * Runs {@code body} under {@code label} (unique per measured block): a full GC first so the
   * heap peak starts from the live set, then the clock, then the listener bus drained so every
   * task of the block is counted.
   */
  <T> Measured<T> measure(String label, Supplier<T> body) {
    System.gc();
    sample();
    peakHeap.set(0);
    peakRss.set(0);
    sample();
    String before = sc.getLocalProperty(PROPERTY);
    sc.setLocalProperty(PROPERTY, label);
    long t0 = System.nanoTime();
    T value;
    try {
      value = body.get();
    } finally {
      sc.setLocalProperty(PROPERTY, before);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    sample();
    long heap = peakHeap.get();
    long rss = rssBytes() < 0 ? -1 : peakRss.get();
    try {
      sc.listenerBus().waitUntilEmpty(TimeUnit.MINUTES.toMillis(2));
    } catch (TimeoutException e) {
      throw new IllegalStateException("bench-pipeline: Spark's listener bus did not drain in 2 minutes", e);
    }
    LongAdder bytes = shuffleBytes.get(label);
    return new Measured<>(value, seconds, heap, rss, bytes == null ? 0 : bytes.sum());
  }

  /** Shuffle bytes written by Spark stages submitted under no label (jobs on threads that do not inherit it). */
  long unlabelledShuffleBytes() {
    LongAdder b = shuffleBytes.get(UNLABELLED);
    return b == null ? 0 : b.sum();
  }

  private void sample() {
    peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    peakRss.accumulateAndGet(rssBytes(), Math::max);
  }

  /** VmRSS of this process from /proc/self/status; -1 when unavailable (not Linux). */
  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    sc.removeSparkListener(this);
  }
}
