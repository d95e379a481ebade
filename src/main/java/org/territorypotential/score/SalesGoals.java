package org.territorypotential.score;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code sales_goals}: each configured target ({@code tp.goals.targets}) of the scored brand
 * split over its territories of {@code tp.goals.territory-type} in proportion to their
 * all-segment potential, with floors and caps, by {@link Goals#allocate} (territories are few:
 * the split runs on the driver).
 */
public final class SalesGoals {
  private SalesGoals() {}

  public static final StructType SCHEMA = new StructType()
      .add("brand", DataTypes.StringType).add("period", DataTypes.StringType)
      .add("target_units", DataTypes.LongType).add("target_basis", DataTypes.StringType)
      .add("territory_type", DataTypes.StringType).add("territory_id", DataTypes.StringType)
      .add("potential_units", DataTypes.DoubleType).add("potential_share", DataTypes.DoubleType)
      .add("proportional_units", DataTypes.DoubleType).add("continuous_units", DataTypes.DoubleType)
      .add("floor_units", DataTypes.LongType).add("cap_units", DataTypes.LongType)
      .add("goal_units", DataTypes.LongType);

  /** @param scores the output of {@link Scores#compute} */
  public static Dataset<Row> compute(SparkSession spark, Dataset<Row> scores, ScoreParams p) {
    List<Row> terr = scores.where(col("segment").equalTo(Scores.ALL).and(col("territory_type").equalTo(p.goalTerritoryType())))
        .select("territory_id", "potential_units").orderBy("territory_id").collectAsList();
    int n = terr.size();
    double[] w = new double[n];
    long[] floors = new long[n];
    long[] caps = new long[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      w[i] = Math.max(0.0, terr.get(i).isNullAt(1) ? 0.0 : terr.get(i).getDouble(1));
      total += w[i];
      floors[i] = p.floorUnits();
      caps[i] = p.capMultiple() > 0 ? Math.max(p.floorUnits(), (long) Math.ceil(p.capMultiple() * w[i])) : Long.MAX_VALUE;
    }
    List<Row> out = new ArrayList<>();
    for (ScoreParams.Target t : p.targets()) {
      long target = t.percentOfPotential() == null ? t.units() : Math.round(total * t.percentOfPotential() / 100.0);
      String basis = t.percentOfPotential() == null ? "units" : t.percentOfPotential() + "% of potential";
      Goals.Allocation a;
      try {
        a = Goals.allocate(w, target, floors, caps);
      } catch (IllegalArgumentException e) {
        throw new org.territorypotential.config.ConfigError("tp.goals: period " + t.period() + " for " + p.brand() + " over "
            + n + " " + p.goalTerritoryType() + " territories: " + e.getMessage());
      }
      for (int i = 0; i < n; i++) {
        double share = total > 0 ? w[i] / total : 1.0 / n;
        out.add(RowFactory.create(p.brand(), t.period(), target, basis, p.goalTerritoryType(), terr.get(i).getString(0), w[i],
            share, share * target, a.continuous()[i], floors[i], caps[i] == Long.MAX_VALUE ? null : caps[i], a.goals()[i]));
      }
    }
    return spark.createDataFrame(out, SCHEMA);
  }
}
