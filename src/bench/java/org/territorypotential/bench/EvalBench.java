package org.territorypotential.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.territorypotential.forecast.Evaluation;
import org.territorypotential.forecast.Panel;

/**
 * The forecast's driver-side evaluation at the demo's size (2,395 unit series in 60 territories,
 * 8 origins x 12 horizons = 229,920 points, two candidates, top-down and MinT, the held-out
 * guard), timed in the main thread's CPU seconds, three repetitions; the checksum of the metrics
 * shows that two builds compute the same thing. No Spark. Run after {@code mvn -DskipTests package}:
 * {@code java -cp target/test-classes:target/classes:$(cat target/local-classpath.txt)
 * org.territorypotential.bench.EvalBench [units [territories]]} (default 2,395 and 60; at 89,999
 * units the bench-pipeline forecast has about 8.4 million points: 30,000 units make 2.9 million).
 */
public final class EvalBench {
  private EvalBench() {}

  public static void main(String[] args) {
    int units = args.length > 0 ? Integer.parseInt(args[0]) : 2395;
    int territories = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int months = 44;
    Random rnd = new Random(7);
    List<Object[]> rows = new ArrayList<>();
    Map<String, String[]> hierarchy = new HashMap<>();
    for (int u = 0; u < units; u++) {
      hierarchy.put("u" + u, new String[] {"t" + (u % territories), "ALL"});
      for (int t = 0; t < months; t++) {
        rows.add(new Object[] {"u" + u, "A", LocalDate.parse("2021-01-01").plusMonths(t), (double) rnd.nextInt(20)});
      }
    }
    Panel panel = Panel.of(rows, hierarchy);
    List<String> candidates = List.of("gbt", "random-forest");
    List<String> methods = Evaluation.methods(candidates);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < 3; rep++) {
      List<Evaluation.Point> points = new ArrayList<>();
      for (int o = 18; o < 26; o++) {
        for (int u = 0; u < units; u++) {
          for (int h = 1; h <= 12; h++) {
            double[] f = new double[methods.size()];
            for (int m = 0; m < f.length; m++) {
              f[m] = rnd.nextInt(20);
            }
            points.add(new Evaluation.Point(u, o, h, panel.series().get(u).y()[o + h], f));
          }
        }
      }
      long cpu = mx.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      Evaluation.Result r = new Evaluation(panel, methods, candidates, List.of(Evaluation.TOP_DOWN, Evaluation.MINT), 1500)
          .evaluate(points, Set.of(18, 19, 20, 21, 22), true, true);
      double cpuSeconds = (mx.getCurrentThreadCpuTime() - cpu) / 1e9;
      double wallSeconds = (System.nanoTime() - wall) / 1e9;
      double checksum = r.metrics().stream().mapToDouble(Evaluation.Metric::absErrorSum).sum();
      System.out.printf("[eval bench] rep %d: %,d points, evaluate %.2f s CPU (%.2f s wall), %d metrics, checksum %.6f, model %s%n",
          rep, points.size(), cpuSeconds, wallSeconds, r.metrics().size(), checksum, r.choice().model());
    }
  }
}
