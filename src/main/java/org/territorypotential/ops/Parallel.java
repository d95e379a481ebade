package org.territorypotential.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Independent driver-side work (Delta commits to different tables, model fits) run up to N at
 * once on one SparkSession: each piece's fixed driver cost overlaps the others' Spark jobs.
 * Threads inherit the caller's Spark local properties (they are created by it).
 */
public final class Parallel {
  private Parallel() {}

  /**
   * {@code fn} of every item, up to {@code threads} at once; results in the items' order. Every
   * item runs to its end, then the first failure (in the items' order) is thrown, so nothing is
   * left running behind an error. One thread or one item: plain sequential calls.
   */
  public static <T, R> List<R> map(List<T> items, int threads, String name, Function<T, R> fn) {
    if (threads <= 1 || items.size() < 2) {
      return items.stream().map(fn).toList();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<R>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> fn.apply(item)));
      }
      List<R> out = new ArrayList<>();
      RuntimeException first = null;
      for (Future<R> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (first == null) {
            first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
      }
      if (first != null) {
        throw first;
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * {@code work} on a daemon thread of its own, started now (created by the caller, so it inherits
   * the caller's Spark local properties); {@link Pending#await} waits for it to end.
   */
  public static Pending start(String name, Runnable work) {
    java.util.concurrent.FutureTask<Void> task = new java.util.concurrent.FutureTask<>(work, null);
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
    return new Pending(name, task);
  }

  /** Work that {@link #start} runs. */
  public static final class Pending {
    private final String name;
    private final Future<Void> task;

    private Pending(String name, Future<Void> task) {
      this.name = name;
      this.task = task;
    }

    /** Waits for the work to end; throws what it threw (the same exception on every call). */
    public void await() {
      try {
        task.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(name + " failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
  }
}
