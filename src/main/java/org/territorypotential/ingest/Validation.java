package org.territorypotential.ingest;

import org.territorypotential.lake.Field;
import org.territorypotential.lake.Contracts;
import org.territorypotential.lake.Contract;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;

/**
 * Checks raw rows against their contract and gives each one either typed values or the reasons
 * it is rejected. Pure transforms: the job reads, calls {@link #withReasons}, splits with
 * {@link #accepted} / {@link #quarantined} / {@link #excluded}, and writes.
 */
public final class Validation {
  private Validation() {}

  public static final String SOURCE_FILE = "_source_file";
  public static final String SOURCE_ROW = "_source_row";
  public static final String RAW_RECORD = "_raw_record";
  public static final String ADAPTER_REASON = "_adapter_reason";
  public static final String EXCLUDED_REASON = "_excluded_reason";
  public static final String REASON = "_reason";
  static final String TYPED = "_t_";

  /** Sedona's WKT constructors throw on bad text; this one returns null, so the row can be quarantined. */
  public static final String WKT_TO_WKB_UDF = "tp_wkt_to_wkb";
  private static final Set<String> UPPER_CASE = Set.of("make", "model", "brand");
  private static final String NUMBER = "^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$";
  private static final String INTEGER = "^[-+]?[0-9]+$";

  public static void registerFunctions(SparkSession spark) {
    spark.udf().register(WKT_TO_WKB_UDF, (UDF1<String, byte[]>) Validation::wktToWkb, DataTypes.BinaryType);
  }

  static byte[] wktToWkb(String wkt) {
    if (wkt == null) {
      return null;
    }
    try {
      return new WKBWriter().write(new WKTReader().read(wkt));
    } catch (ParseException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Adds typed contract columns (prefixed {@value #TYPED}; {@code extraNumeric} are open-set
   * measures parsed as numbers) and {@value #REASON}: null when the row is valid, else every reason found, joined with "; ". Duplicate keys among otherwise
   * valid rows: the first by {@code _source_row} is kept, the others get a reason.
   */
  public static Dataset<Row> withReasons(RawInput in, LocalDate asOf, List<String> extraNumeric, InputRules.Settings rules) {
    Contract c = in.contract();
    Dataset<Row> df = in.rows();
    for (Field f : c.fields()) {
      if (!hasColumn(df, f.name())) {
        df = df.withColumn(f.name(), lit(null).cast(f.type() == Field.Type.GEOMETRY ? "binary" : "string"));
      }
    }
    for (String internal : List.of(ADAPTER_REASON, EXCLUDED_REASON)) {
      if (!hasColumn(df, internal)) {
        df = df.withColumn(internal, lit(null).cast("string"));
      }
    }
    List<Column> reasons = new ArrayList<>();
    reasons.add(col(ADAPTER_REASON));
    for (Field f : c.fields()) {
      Column rawV = cleaned(df, f.name());
      Column typed = typed(df, f, rawV);
      df = df.withColumn(TYPED + f.name(), typed);
      String label = in.label(f.name());
      if (!isBinary(df, f.name())) {
        reasons.add(InputRules.undecodable(rawV, label, in.encoding()));
      }
      if (f.required()) {
        reasons.add(when(rawV.isNull(), lit("missing " + label)));
      }
      Column shown = isBinary(df, f.name()) ? lit("<binary>") : rawV;
      reasons.add(when(rawV.isNotNull().and(col(TYPED + f.name()).isNull()),
          concat(lit("unparsable " + label + " '"), shown, lit("'"))));
      if (f.name().equals("model_year")) {
        reasons.add(InputRules.modelYear(col(TYPED + f.name()), rawV, label, asOf, rules));
      }
    }
    for (String e : extraNumeric) {
      Column v = nullif(trim(col(e).cast("string")), lit(""));
      df = df.withColumn(TYPED + e, when(v.rlike(NUMBER), v.cast("double")));
      reasons.add(InputRules.undecodable(v, e, in.encoding()));
      reasons.add(when(v.isNotNull().and(col(TYPED + e).isNull()), concat(lit("unparsable " + e + " '"), v, lit("'"))));
    }
    reasons.addAll(contractRules(in, asOf));
    df = df.withColumn(REASON, nullif(array_join(filter(array(reasons.toArray(new Column[0])), x -> x.isNotNull()), "; "), lit("")));
    return withDuplicateReasons(df, c);
  }

  private static Dataset<Row> withDuplicateReasons(Dataset<Row> df, Contract c) {
    Column[] keys = c.keyColumns().stream().map(k -> col(TYPED + k)).toArray(Column[]::new);
    Column valid = col(REASON).isNull().and(excludedCol(df).isNull());
    Column rank = row_number().over(Window.partitionBy(keys).orderBy(col(SOURCE_ROW)));
    Column first = min(col(SOURCE_ROW)).over(Window.partitionBy(keys));
    String keyName = String.join(" + ", c.keyColumns());
    Dataset<Row> valids = df.where(valid)
        .withColumn(REASON, when(rank.gt(1), concat(lit("duplicate " + keyName + " (kept the first: source_row "), first.cast("string"), lit(")"))));
    Dataset<Row> others = df.where(not(valid));
    return valids.unionByName(others);
  }

  /** Rules that are not about one field alone. */
  static List<Column> contractRules(RawInput in, LocalDate asOf) {
    Contract c = in.contract();
    List<Column> out = new ArrayList<>();
    for (String prefix : List.of("", "customer_")) {
      String lon = TYPED + prefix + "longitude";
      String lat = TYPED + prefix + "latitude";
      if (c.field(prefix + "longitude").isPresent()) {
        String lonLabel = in.label(prefix + "longitude");
        String latLabel = in.label(prefix + "latitude");
        out.add(when(col(lon).isNotNull().and(col(lon).lt(-180).or(col(lon).gt(180))),
            concat(lit(lonLabel + " '"), trim(col(prefix + "longitude")), lit("' outside -180..180"))));
        out.add(when(col(lat).isNotNull().and(col(lat).lt(-90).or(col(lat).gt(90))),
            concat(lit(latLabel + " '"), trim(col(prefix + "latitude")), lit("' outside -90..90"))));
        out.add(when(col(lon).isNull().notEqual(col(lat).isNull()), lit("only one of " + lonLabel + "/" + latLabel + " given")));
      }
    }
    java.sql.Date runDate = java.sql.Date.valueOf(asOf);
    for (Field f : c.fields()) {
      if (f.type() == Field.Type.DATE && f.required()) {
        out.add(when(col(TYPED + f.name()).gt(lit(runDate)),
            concat(lit(in.label(f.name()) + " '"), trim(col(f.name())), lit("' after the run date " + asOf))));
      }
    }
    if (c == Contracts.REGISTRATIONS) {
      out.add(when(col(TYPED + "longitude").isNull().and(col(TYPED + "geo_unit_id").isNull()).and(col(TYPED + "zip").isNull()),
          lit("no location (no " + in.label("coordinates") + ", " + in.label("geo_unit_id") + " or " + in.label("zip") + ")")));
    }
    if (c == Contracts.DEALERS) {
      out.add(when(col(TYPED + "close_date").lt(col(TYPED + "open_date")),
          concat(lit(in.label("close_date") + " '"), trim(col("close_date")), lit("' before " + in.label("open_date") + " '"),
              trim(col("open_date")), lit("'"))));
    }
    if (c == Contracts.GEO_UNITS) {
      out.add(when(col(TYPED + "level").isNotNull().and(not(col(TYPED + "level").isin("tract", "zcta", "county", "state"))),
          concat(lit("unknown " + in.label("level") + " '"), col(TYPED + "level"), lit("'"))));
    }
    return out;
  }

  private static Column cleaned(Dataset<Row> df, String name) {
    if (isBinary(df, name)) {
      return col(name);
    }
    return nullif(trim(col(name).cast("string")), lit(""));
  }

  private static Column typed(Dataset<Row> df, Field f, Column v) {
    switch (f.type()) {
      case STRING:
        return UPPER_CASE.contains(f.name()) ? upper(v) : v;
      case INT:
        return when(v.rlike(INTEGER), v.cast("int"));
      case LONG:
        return when(v.rlike(INTEGER), v.cast("bigint"));
      case DOUBLE:
        return when(v.rlike(NUMBER), v.cast("double"));
      case DATE:
        return when(v.rlike("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), to_date(v, "yyyy-MM-dd"));
      case GEOMETRY:
        return isBinary(df, f.name()) ? v : call_udf(WKT_TO_WKB_UDF, v);
      default:
        throw new IllegalStateException(f.type().name());
    }
  }

  private static Column excludedCol(Dataset<Row> df) {
    return hasColumn(df, EXCLUDED_REASON) ? col(EXCLUDED_REASON) : lit(null).cast("string");
  }

  static boolean hasColumn(Dataset<Row> df, String name) {
    return List.of(df.columns()).contains(name);
  }

  private static boolean isBinary(Dataset<Row> df, String name) {
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(name)) {
        return f.dataType() instanceof BinaryType;
      }
    }
    return false;
  }

  /** Valid rows in contract form: typed columns, then open-set extras, then lineage. */
  public static Dataset<Row> accepted(Dataset<Row> validated, Contract c, List<String> extraNumeric) {
    List<Column> cols = new ArrayList<>();
    for (Field f : c.fields()) {
      cols.add(col(TYPED + f.name()).as(f.name()));
    }
    for (String extra : extraNumeric) {
      cols.add(col(TYPED + extra).as(extra));
    }
    cols.add(col(SOURCE_FILE).as("source_file"));
    cols.add(col(SOURCE_ROW).as("source_row"));
    return validated.where(col(REASON).isNull().and(excludedCol(validated).isNull()))
        .select(cols.toArray(new Column[0]));
  }

  /** Rejected rows: where they came from, the raw record and why. */
  public static Dataset<Row> quarantined(Dataset<Row> validated, Contract c) {
    return validated.where(col(REASON).isNotNull().and(excludedCol(validated).isNull()))
        .select(lit(c.input()).as("source"), col(SOURCE_FILE).as("source_file"), col(SOURCE_ROW).as("source_row"),
            col(RAW_RECORD).as("raw_record"), col(REASON).as("reason"));
  }

  /** Rows the adapter left out of scope on purpose, with the reason. */
  public static Dataset<Row> excluded(Dataset<Row> validated) {
    return validated.where(excludedCol(validated).isNotNull());
  }

  /** Columns of a raw frame that are neither contract fields nor internal. */
  public static List<String> extraColumns(Dataset<Row> raw, Contract c) {
    List<String> out = new ArrayList<>();
    for (StructField f : raw.schema().fields()) {
      if (!f.name().startsWith("_") && c.field(f.name()).isEmpty()) {
        out.add(f.name());
      }
    }
    return out;
  }
}
