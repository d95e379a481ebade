package org.territorypotential.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reading delimited and Parquet files into raw frames (every value a string, plus the lineage
 * columns that {@link Validation} expects). Shared by every adapter.
 */
public final class Sources {
  private Sources() {}

  private static final String CORRUPT = "_corrupt_record";
  private static final List<String> DELIMITERS = List.of(",", ";", "\t", "|");

  /** Fails naming the input and path when nothing is there. */
  public static void requireExists(SparkSession spark, String input, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] found = fs.globStatus(p);
      if (found == null || found.length == 0) {
        throw new IngestError("input '" + input + "': file not found: " + path);
      }
    } catch (IOException e) {
      throw new IngestError("input '" + input + "': cannot read " + path + ": " + e.getMessage());
    }
  }

  /**
   * Reads a delimited file (or folder of files) with a header. Every column is read as a
   * string; rows that do not parse (wrong number of fields, broken quoting) keep their raw line
   * in {@code _raw_record} and get a reason. Fails when the header lacks a required column or
   * the file is evidently split by another delimiter.
   *
   * @param rename header name -> canonical name (for real files whose headers differ); may be empty
   * @param required canonical columns that must be in the header
   */
  public static Dataset<Row> readDelimited(SparkSession spark, String input, String path, String delimiter,
      boolean multiLine, Map<String, String> rename, List<String> required, String encoding) {
    requireExists(spark, input, path);
    String[] header = spark.read().option("header", "true").option("delimiter", delimiter).option("encoding", encoding)
        .option("multiLine", String.valueOf(multiLine)).csv(path).columns();
    if (header.length <= 1) {
      String only = header.length == 0 ? "" : header[0];
      for (String d : DELIMITERS) {
        if (!d.equals(delimiter) && only.contains(d)) {
          throw new IngestError("input '" + input + "': " + path + " looks delimited by '" + printable(d)
              + "', not the configured '" + printable(delimiter) + "' (header: " + abbreviate(only) + ")");
        }
      }
    }
    List<String> canonical = new ArrayList<>();
    for (String h : header) {
      canonical.add(rename.getOrDefault(h, h));
    }
    List<String> missing = required.stream().filter(r -> !canonical.contains(r)).toList();
    if (!missing.isEmpty()) {
      throw new IngestError("input '" + input + "': " + path + " lacks required column"
          + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
          + (rename.isEmpty() ? "" : " (mapped from " + rename + ")") + "; header is " + List.of(header));
    }
    StructType schema = new StructType();
    for (String h : header) {
      schema = schema.add(h, DataTypes.StringType, true);
    }
    schema = schema.add(CORRUPT, DataTypes.StringType, true);
    Dataset<Row> df = spark.read().schema(schema)
        .option("header", "true").option("delimiter", delimiter).option("encoding", encoding)
        .option("multiLine", String.valueOf(multiLine))
        .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
        .option("enforceSchema", "false")
        .csv(path);
    List<Column> cols = new ArrayList<>();
    List<Column> rawFields = new ArrayList<>();
    for (String h : header) {
      String name = rename.getOrDefault(h, h);
      cols.add(col("`" + h + "`").as(name));
      rawFields.add(col("`" + h + "`"));
    }
    cols.add(input_file_name().as(Validation.SOURCE_FILE));
    cols.add(monotonically_increasing_id().as(Validation.SOURCE_ROW));
    cols.add(when(col(CORRUPT).isNotNull(), col(CORRUPT)).otherwise(to_json(struct(rawFields.toArray(new Column[0]))))
        .as(Validation.RAW_RECORD));
    cols.add(when(col(CORRUPT).isNotNull(), lit("malformed row (wrong number of fields or broken quoting)"))
        .as(Validation.ADAPTER_REASON));
    Dataset<Row> out = df.select(cols.toArray(new Column[0]));
    // A compressed file (or a multi-line CSV) is read by one task: spread the rows so that
    // validation uses every core. source_row is assigned before the shuffle, in file order.
    if (multiLine || path.endsWith(".gz") || path.endsWith(".bz2")) {
      out = out.repartition(spark.sparkContext().defaultParallelism());
    }
    return out;
  }

  /** Reads Parquet; every non-binary column is cast to string so validation treats it like CSV. */
  public static Dataset<Row> readParquet(SparkSession spark, String input, String path, List<String> required) {
    requireExists(spark, input, path);
    Dataset<Row> df = spark.read().parquet(path);
    List<String> names = List.of(df.columns());
    List<String> missing = required.stream().filter(r -> !names.contains(r)).toList();
    if (!missing.isEmpty()) {
      throw new IngestError("input '" + input + "': " + path + " lacks required column"
          + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + "; columns are " + names);
    }
    List<Column> cols = new ArrayList<>();
    List<Column> rawFields = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      Column c = f.dataType() instanceof BinaryType ? col("`" + f.name() + "`") : col("`" + f.name() + "`").cast("string");
      cols.add(c.as(f.name()));
      if (!(f.dataType() instanceof BinaryType)) {
        rawFields.add(c.as(f.name()));
      }
    }
    cols.add(input_file_name().as(Validation.SOURCE_FILE));
    cols.add(monotonically_increasing_id().as(Validation.SOURCE_ROW));
    cols.add(to_json(struct(rawFields.toArray(new Column[0]))).as(Validation.RAW_RECORD));
    cols.add(lit(null).cast("string").as(Validation.ADAPTER_REASON));
    return df.select(cols.toArray(new Column[0]));
  }

  private static String printable(String d) {
    return d.equals("\t") ? "\\t" : d;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
