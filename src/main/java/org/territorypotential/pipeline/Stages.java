package org.territorypotential.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.territorypotential.config.ConfigError;
import org.territorypotential.design.DesignStage;
import org.territorypotential.forecast.ForecastStage;
import org.territorypotential.geo.LocateStage;
import org.territorypotential.ingest.IngestStage;
import org.territorypotential.lake.Table;
import org.territorypotential.market.MarketStage;
import org.territorypotential.ops.Stage;
import org.territorypotential.report.ReportStage;
import org.territorypotential.score.ScoreStage;
import org.territorypotential.segment.SegmentStage;
import org.territorypotential.synth.GenerateStage;

/**
 * The registry: the only list of stages. {@link #PIPELINE} in dependency order is what
 * {@code jobs/tp pipeline} and {@code demo} run, each also a command of its own; the data-quality
 * gates, bench-pipeline and the Airflow DAG's test read it too. A new stage is one class in its
 * package and one line here.
 */
public final class Stages {
  private Stages() {}

  /** The pipeline's stages in dependency order. */
  public static final List<Stage> PIPELINE = List.of(
      new IngestStage(),
      new LocateStage(),
      new MarketStage(),
      new ForecastStage(),
      new ScoreStage(),
      new DesignStage(),
      new SegmentStage(),
      new ReportStage());

  /** The synthetic-data job: tracked like a stage, run before the pipeline by demo and benchmarks. */
  public static final Stage GENERATE = new GenerateStage();

  public static List<String> names() {
    return PIPELINE.stream().map(Stage::name).toList();
  }

  /** The pipeline stage or generate called {@code name}. */
  public static Optional<Stage> find(String name) {
    if (GENERATE.name().equals(name)) {
      return Optional.of(GENERATE);
    }
    return PIPELINE.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The stage that writes {@code t} (for "run X first"), or generate / "ingest" for inputs. */
  public static String producerOf(Table t) {
    for (Stage s : PIPELINE) {
      if (s.writes().contains(t)) {
        return s.name();
      }
    }
    return GENERATE.writes().contains(t) ? GENERATE.name() : "ingest";
  }

  /** The stages from {@code from} to {@code to} (both included; null = first / last), or only {@code only}. */
  public static List<Stage> select(String only, String from, String to) {
    List<String> all = names();
    for (String s : new String[] {only, from, to}) {
      if (s != null && !all.contains(s)) {
        throw new ConfigError("unknown stage '" + s + "'; stages are " + all);
      }
    }
    if (only != null) {
      return List.of(PIPELINE.get(all.indexOf(only)));
    }
    int first = from == null ? 0 : all.indexOf(from);
    int last = to == null ? all.size() - 1 : all.indexOf(to);
    if (first > last) {
      throw new ConfigError("--from " + from + " comes after --to " + to + " (order: " + all + ")");
    }
    return new ArrayList<>(PIPELINE.subList(first, last + 1));
  }
}
