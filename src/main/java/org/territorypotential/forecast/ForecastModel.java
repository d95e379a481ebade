package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expm1;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.GeneralizedLinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * The one global model across all unit series: an MLlib {@link Pipeline} of a
 * {@link VectorAssembler} and a gradient-boosted trees (or random forest) regressor, trained on
 * the scaled log1p label of {@link Features#examples}; its prediction is turned back into a
 * count with {@code max(0, expm1(prediction + log_scale))}. With {@code weight-by-scale}, each
 * example weighs {@code 1 + scale}, so the fit attends to series in proportion to their volume,
 * as WAPE does (unweighted, a county with 2 EVs a month counts as much as King County).
 */
public final class ForecastModel {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ForecastModel.class);
  /** Hyper-parameters, from {@code tp.forecast.model.*}. */
  public record Params(String algorithm, int trees, int maxDepth, double stepSize, double subsamplingRate, int maxBins,
      long seed, String loss, boolean weightByScale, int minInstancesPerNode, int anchorMonths) {
    public static Params from(AppConfig cfg) {
      List<String> cs = cfg.getStringList("tp.forecast.model.candidates");
      String a = cs.isEmpty() ? "" : cs.get(0);
      if (!ALGORITHMS.containsAll(cs) || cs.isEmpty()) {
        throw new ConfigError("configuration key 'tp.forecast.model.candidates' must list some of " + ALGORITHMS + ", got " + cs);
      }
      Params p = new Params(a, cfg.getInt("tp.forecast.model.trees"), cfg.getInt("tp.forecast.model.max-depth"),
          cfg.getDouble("tp.forecast.model.step-size"), cfg.getDouble("tp.forecast.model.subsampling-rate"),
          cfg.getInt("tp.forecast.model.max-bins"), cfg.getLong("tp.forecast.model.seed"),
          cfg.getString("tp.forecast.model.loss"), cfg.getBoolean("tp.forecast.model.weight-by-scale"),
          cfg.getInt("tp.forecast.model.min-instances-per-node"), cfg.getInt("tp.forecast.model.anchor-months"));
      if (!p.loss.equals("squared") && !p.loss.equals("absolute")) {
        throw new ConfigError("configuration key 'tp.forecast.model.loss' must be squared or absolute, got '" + p.loss + "'");
      }
      if (p.trees < 1 || p.maxDepth < 1 || p.maxDepth > 30) {
        throw new ConfigError("tp.forecast.model.trees must be >= 1 and max-depth between 1 and 30");
      }
      if (p.minInstancesPerNode < 1 || p.anchorMonths < 1 || p.anchorMonths > 24) {
        throw new ConfigError("tp.forecast.model.min-instances-per-node must be >= 1 and anchor-months between 1 and 24");
      }
      return p;
    }

    /** The same settings for another algorithm (a backtest candidate). */
    public Params withAlgorithm(String a) {
      return new Params(a, trees, maxDepth, stepSize, subsamplingRate, maxBins, seed, loss, weightByScale, minInstancesPerNode,
          anchorMonths);
    }
  }

  /**
   * The algorithms: gradient-boosted trees, a random forest (its trees are grown together, a few
   * Spark jobs per fit), and a Poisson GLR on the count with offset {@code log_scale} (a log-linear
   * correction to the anchor; a handful of IRLS jobs). The trees predict the log-ratio label.
   */
  public static final List<String> ALGORITHMS = List.of("gbt", "random-forest", "glr");
  /** Ridge penalty of the GLR (the rel_ features are correlated; a little shrinkage keeps IRLS stable). */
  static final double GLR_REG_PARAM = 0.01;

  /** Partitions of the training rows (the fit's row layout, hence its trees, depend on it). */
  static final int FIT_PARTITIONS = 2;

  private ForecastModel() {}

  public static Pipeline pipeline(List<String> features, Params p) {
    VectorAssembler assembler = new VectorAssembler().setInputCols(features.toArray(new String[0]))
        .setOutputCol("features");
    PipelineStage regressor;
    if (p.algorithm().equals("gbt")) {
      regressor = new GBTRegressor().setLabelCol("label").setFeaturesCol("features").setPredictionCol("prediction")
          .setMaxIter(p.trees()).setMaxDepth(p.maxDepth()).setStepSize(p.stepSize())
          .setSubsamplingRate(p.subsamplingRate()).setMaxBins(p.maxBins()).setSeed(p.seed()).setLossType(p.loss())
          .setMinInstancesPerNode(p.minInstancesPerNode());
      if (p.weightByScale()) {
        ((GBTRegressor) regressor).setWeightCol("weight");
      }
    } else if (p.algorithm().equals("glr")) {
      regressor = new GeneralizedLinearRegression().setFamily("poisson").setLink("log").setLabelCol("actual")
          .setFeaturesCol("features").setPredictionCol("prediction").setOffsetCol("log_scale").setMaxIter(25)
          .setRegParam(GLR_REG_PARAM);
      if (p.weightByScale()) {
        ((GeneralizedLinearRegression) regressor).setWeightCol("weight");
      }
    } else {
      regressor = new RandomForestRegressor().setLabelCol("label").setFeaturesCol("features")
          .setPredictionCol("prediction").setNumTrees(p.trees()).setMaxDepth(p.maxDepth())
          .setSubsamplingRate(p.subsamplingRate()).setMaxBins(p.maxBins()).setSeed(p.seed())
          .setMinInstancesPerNode(p.minInstancesPerNode());
      if (p.weightByScale()) {
        ((RandomForestRegressor) regressor).setWeightCol("weight");
      }
    }
    return new Pipeline().setStages(new PipelineStage[] {assembler, regressor});
  }

  /**
   * Fits the pipeline on examples with a known label. The rows are laid out by their key (hash
   * partitions, sorted within) first: tree fitting depends on row order and partitioning, and
   * those would otherwise depend on the upstream plan, so the same rows could give a different
   * model. The number of partitions is fixed ({@link #FIT_PARTITIONS}), not the session's
   * {@code spark.sql.shuffle.partitions}, so a test session and the job fit the same trees.
   */
  public static PipelineModel fit(Dataset<Row> train, List<String> features, Params p) {
    Dataset<Row> laidOut = train.where(col("label").isNotNull())
        .repartition(FIT_PARTITIONS, col("series_id"), col("segment"), col("origin"), col("horizon"))
        .sortWithinPartitions("series_id", "segment", "origin", "horizon");
    return pipeline(features, p).fit(laidOut);
  }

  /** A fit to run: its name (candidate@origin), its training rows, their count, the settings. */
  public record FitJob(String name, Dataset<Row> rows, long count, Params params) {}

  /** A fitted model, with its training rows and seconds (each is logged, and printed by the job). */
  public record Fitted(String name, PipelineModel model, long rows, double seconds) {}

  /**
   * Fits each job ({@link #fit}), up to {@code threads} at once: a fit at the demo's size is
   * mostly the fixed cost of its small Spark jobs, so concurrent fits keep both cores busy. Each
   * fit's rows are laid out by key, so the models do not depend on how many run at once. One
   * log line per fit: its rows and seconds.
   */
  public static List<Fitted> fitAll(List<FitJob> jobs, List<String> features, int threads) {
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    return org.territorypotential.ops.Parallel.map(jobs, threads, "tp-fit", j -> {
      long t0 = System.nanoTime();
      PipelineModel m = fit(j.rows(), features, j.params());
      double sec = (System.nanoTime() - t0) / 1e9;
      LOG.info("model fit {} of {} ({}): {} training rows in {} s", done.incrementAndGet(), jobs.size(), j.name(), j.count(),
          String.format("%.1f", sec));
      return new Fitted(j.name(), m, j.count(), sec);
    });
  }

  /** Adds {@code model} (the forecast count, >= 0) to the examples. */
  public static Dataset<Row> predict(PipelineModel model, Dataset<Row> examples) {
    boolean counts = model.stages()[model.stages().length - 1]
        instanceof org.apache.spark.ml.regression.GeneralizedLinearRegressionModel;
    return model.transform(examples)
        .withColumn("model", counts ? greatest(col("prediction"), lit(0.0))
            : greatest(expm1(col("prediction").plus(col("log_scale"))), lit(0.0)))
        .drop("features", "prediction");
  }

  /** The feature columns a saved pipeline expects (its assembler's inputs). */
  public static List<String> features(PipelineModel model) {
    return Arrays.asList(((org.apache.spark.ml.feature.VectorAssembler) model.stages()[0]).getInputCols());
  }

  /** Where model versions live: {@code <lakehouse>/models/forecast}. */
  public static String modelsDir(String lakehouseRoot) {
    return lakehouseRoot + "/models/forecast";
  }

  public static void save(PipelineModel model, String modelsDir, String version) {
    try {
      model.write().overwrite().save(modelsDir + "/" + version);
    } catch (IOException e) {
      throw new IllegalStateException("cannot save the forecast model to " + modelsDir + "/" + version, e);
    }
  }

  /** The newest saved version (version ids sort by creation time), if any. */
  public static Optional<String> latestVersion(SparkSession spark, String modelsDir) {
    try {
      Path dir = new Path(modelsDir);
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return Optional.empty();
      }
      return Arrays.stream(fs.listStatus(dir)).filter(FileStatus::isDirectory).map(s -> s.getPath().getName())
          .filter(n -> !n.startsWith(".") && !n.startsWith("_")).max(String::compareTo);
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + modelsDir, e);
    }
  }

  public static PipelineModel load(String modelsDir, String version) {
    return PipelineModel.load(modelsDir + "/" + version);
  }
}
