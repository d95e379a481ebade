package org.territorypotential.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.DemoFixture;
import org.territorypotential.TestSpark;

/**
 * Every SQL cell of every notebook in {@code notebooks/} runs against the demo output, so a
 * notebook cannot silently rot (notebooks/README.md has the conventions this test enforces).
 *
 * <p>On the JVM's one {@link DemoFixture} ({@code jobs/tp demo}, every stage, score included). Then per
 * notebook, in cell order on the shared SparkSession: {@code %%sql} cells run (database names
 * {@code territory}, {@code tp_ops}, {@code tp_silver}, {@code tp_bronze} mapped to this test's),
 * a cell must return rows unless its metadata says {@code "tp": {"may_be_empty": "why"}}; code
 * cells that are not SQL must be tagged {@code setup} (connection and display settings, which
 * the test cannot and need not run); the parameter cell's {@code CAST(NULL AS STRING)} is run
 * as written (the notebook's own default must resolve to a value) and then replaced by a value
 * the test picks from the data. Every SQL cell runs: one that fails or (unmarked) returns no
 * rows fails the test; the {@code <table>_current} views are the ones the demo's runs published (Lake.publish).
 */
class NotebooksTest {
  private static final String DB = DemoFixture.DB;
  private static final File NOTEBOOKS = new File("notebooks");
  private static final Map<String, String> DATABASES = Map.of(
      "territory", DB + "_gold", "tp_ops", DB + "_ops", "tp_silver", DB + "_silver", "tp_bronze", DB + "_bronze");
  private static final Pattern DB_REF = Pattern.compile("(?i)(?<![\\w.`])(territory|tp_ops|tp_silver|tp_bronze)\\.(\\w+)");
  /** What SQLAlchemy's text() would take for a bind parameter (jupysql runs cells through it). */
  private static final Pattern BIND = Pattern.compile("(?<![:\\w\\\\]):\\w");
  static final String PARAMETER = "CAST(NULL AS STRING)";

  private static SparkSession spark;
  private static String printed;
  private static final List<String> notes = new ArrayList<>();

  @BeforeAll
  static void demo() {
    spark = TestSpark.session();
    printed = DemoFixture.get().printed();
  }

  /** One code cell of a notebook. */
  record Cell(String notebook, int index, String source, JsonNode metadata) {
    String where() {
      return notebook + " cell " + index + " (" + firstLine(source) + ")";
    }

    boolean isSetup() {
      for (JsonNode tag : metadata.path("tags")) {
        if (tag.asText().equals("setup")) {
          return true;
        }
      }
      return false;
    }
  }

  static String firstLine(String s) {
    String body = s.strip();
    String[] lines = body.split("\n");
    for (String l : lines) {
      if (!l.isBlank() && !l.startsWith("%%sql") && !l.startsWith("--")) {
        return l.strip().length() > 60 ? l.strip().substring(0, 60) + "..." : l.strip();
      }
    }
    return lines[0];
  }

  static List<File> notebooks() {
    File[] files = NOTEBOOKS.listFiles((d, n) -> n.endsWith(".ipynb"));
    assertTrue(files != null && files.length > 0, "no notebooks in " + NOTEBOOKS.getAbsolutePath());
    Arrays.sort(files);
    return List.of(files);
  }

  /** Parses a notebook and checks it is nbformat 4 with the fields Jupyter needs; returns its code cells. */
  static List<Cell> codeCells(File f) throws IOException {
    JsonNode nb = new ObjectMapper().readTree(f);
    String name = f.getName();
    assertEquals(4, nb.path("nbformat").asInt(), name + ": nbformat");
    assertTrue(nb.path("nbformat_minor").isInt(), name + ": nbformat_minor");
    assertTrue(nb.path("metadata").isObject(), name + ": metadata");
    assertTrue(nb.path("cells").isArray() && nb.path("cells").size() > 0, name + ": cells");
    List<Cell> out = new ArrayList<>();
    int i = 0;
    for (JsonNode c : nb.path("cells")) {
      i++;
      String type = c.path("cell_type").asText();
      assertTrue(List.of("code", "markdown", "raw").contains(type), name + " cell " + i + ": cell_type " + type);
      assertTrue(c.path("metadata").isObject(), name + " cell " + i + ": metadata");
      StringBuilder src = new StringBuilder();
      if (c.path("source").isArray()) {
        c.path("source").forEach(l -> src.append(l.asText()));
      } else {
        assertTrue(c.path("source").isTextual(), name + " cell " + i + ": source");
        src.append(c.path("source").asText());
      }
      if (type.equals("code")) {
        assertTrue(c.path("outputs").isArray(), name + " cell " + i + ": outputs");
        assertTrue(c.has("execution_count"), name + " cell " + i + ": execution_count");
        out.add(new Cell(name, i, src.toString(), c.path("metadata")));
      }
    }
    return out;
  }

  /** The SQL of a {@code %%sql} cell with the notebook's database names mapped to the test's; null when not SQL. */
  static String sqlOf(Cell c) {
    String s = c.source().strip();
    if (!s.startsWith("%%sql")) {
      return null;
    }
    String first = s.split("\n", 2)[0].strip();
    if (!first.equals("%%sql")) {
      throw new AssertionError(c.where() + ": the magic line must be plain %%sql (options are not run by the test): " + first);
    }
    return s.substring(first.length()).strip();
  }

  /** Problems that would break the cell in jupysql + PyHive although Spark runs it. */
  static List<String> portabilityProblems(String sql) {
    List<String> p = new ArrayList<>();
    if (BIND.matcher(sql).find()) {
      p.add("contains ':name' (SQLAlchemy text() takes it for a bind parameter)");
    }
    if (sql.contains("{{") || sql.contains("{%")) {
      p.add("contains {{ or {% (jupysql templating)");
    }
    if (sql.contains("%")) {
      p.add("contains % (PyHive's pyformat parameter style)");
    }
    String trimmed = sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
    if (trimmed.contains(";")) {
      p.add("contains more than one statement");
    }
    return p;
  }

  static String mapDatabases(String sql) {
    Matcher m = DB_REF.matcher(sql);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(DATABASES.get(m.group(1).toLowerCase()) + "." + m.group(2)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  @Test
  void everySqlCellOfEveryNotebookRuns() throws IOException {
    long t0 = System.nanoTime();
    List<String> failures = new ArrayList<>();
    int ran = 0;
    int setup = 0;
    for (File f : notebooks()) {
      List<Cell> cells = codeCells(f);
      int sqlCells = 0;
      int ranHere = 0;
      long rowsHere = 0;
      for (Cell c : cells) {
        String sql = sqlOf(c);
        if (sql == null) {
          if (c.isSetup()) {
            setup++;
          } else {
            failures.add(c.where() + ": a code cell that is neither %%sql nor tagged 'setup' (the test cannot run it)");
          }
          continue;
        }
        sqlCells++;
        for (String p : portabilityProblems(sql)) {
          failures.add(c.where() + ": " + p);
        }
        String mapped = mapDatabases(sql);
        try {
          if (sql.contains(PARAMETER)) {
            mapped = resolveParameter(c, mapped);
          }
          List<Row> rows = spark.sql(mapped).limit(1000).collectAsList();
          ran++;
          ranHere++;
          rowsHere += rows.size();
          System.out.printf("NotebooksTest: %s: %d rows%s%n", c.where(), rows.size(), rows.isEmpty() ? "" : ", first " + rows.get(0));
          boolean isStatement = withoutComments(mapped).toUpperCase().startsWith("CREATE");
          if (rows.isEmpty() && !isStatement && !c.metadata().path("tp").has("may_be_empty")) {
            failures.add(c.where() + ": returned no rows (mark it \"tp\": {\"may_be_empty\": \"why\"} if that can be right)");
          }
        } catch (Exception | AssertionError e) { // AnalysisException is a checked exception to Java
          failures.add(c.where() + ": " + oneLine(e));
        }
      }
      if (sqlCells == 0) {
        failures.add(f.getName() + ": no %%sql cell");
      }
      System.out.printf("NotebooksTest: %s: %d of %d SQL cells ran, %d rows returned (at most 1000 a cell)%n",
          f.getName(), ranHere, sqlCells, rowsHere);
    }
    System.out.printf("NotebooksTest: %d notebooks, %d SQL cells ran, %d setup cells, %.1f s%n",
        notebooks().size(), ran, setup, (System.nanoTime() - t0) / 1e9);
    notes.forEach(n -> System.out.println("NotebooksTest: note: " + n));
    if (!failures.isEmpty()) {
      fail(failures.size() + " notebook cell(s) failed:\n  " + String.join("\n  ", failures));
    }
    assertTrue(ran > 0, "no SQL cell ran");
  }

  /**
   * The parameter cell: first as written (the notebook's default must resolve to a value), then
   * with the parameter replaced by another value of the same view's candidates, which the
   * following cells then use. Returns the SQL to run.
   */
  private static String resolveParameter(Cell c, String mapped) {
    assertEquals(1, mapped.split(Pattern.quote(PARAMETER), -1).length - 1, c.where() + ": one parameter per parameter cell");
    Matcher view = Pattern.compile("(?i)CREATE OR REPLACE TEMPORARY VIEW (\\w+)").matcher(mapped);
    assertTrue(view.find(), c.where() + ": a parameter cell creates a temporary view (CREATE OR REPLACE TEMPORARY VIEW)");
    spark.sql(mapped);
    Row byDefault = spark.sql("SELECT * FROM " + view.group(1)).first();
    assertFalse(byDefault.isNullAt(0), c.where() + ": the default (NULL) resolves to no value");
    String chosen = byDefault.getString(0);
    // a second value: the same default rule's runner-up, read from the cell's candidates view when it has one
    Matcher candidates = Pattern.compile("(?i)--\\s*candidates\\s+(\\S.*)$", Pattern.MULTILINE).matcher(c.source());
    if (candidates.find()) {
      String q = mapDatabases(candidates.group(1).strip());
      List<Row> rows = spark.sql(q).collectAsList();
      for (Row r : rows) {
        if (!r.isNullAt(0) && !r.getString(0).equals(byDefault.getString(0))) {
          chosen = r.getString(0);
          break;
        }
      }
    }
    notes.add(c.where() + ": default " + byDefault.getString(0) + ", test value " + chosen);
    return mapped.replace(PARAMETER, "'" + chosen.replace("'", "''") + "'");
  }

  @Test
  void conventionsAreEnforced() {
    assertEquals(List.of("contains ':name' (SQLAlchemy text() takes it for a bind parameter)"),
        portabilityProblems("SELECT * FROM t WHERE x = :x"));
    assertEquals(List.of(), portabilityProblems("SELECT 'a::b', CAST(x AS STRING) FROM t;"));
    assertEquals(List.of("contains % (PyHive's pyformat parameter style)"), portabilityProblems("SELECT * FROM t WHERE n LIKE 'a%'"));
    assertEquals(List.of("contains more than one statement"), portabilityProblems("SELECT 1; SELECT 2"));
    assertEquals("SELECT * FROM " + DB + "_gold.dealer_performance_current d JOIN " + DB + "_ops.model_metrics m, territory_x.y",
        mapDatabases("SELECT * FROM territory.dealer_performance_current d JOIN tp_ops.model_metrics m, territory_x.y"));
    assertEquals("CREATE VIEW v AS SELECT 1", withoutComments("-- a comment\n  -- another\nCREATE VIEW v AS SELECT 1"));
    assertTrue(printed.contains("== market"), printed);
  }

  static String withoutComments(String sql) {
    return sql.replaceAll("(?m)^\\s*--.*$", "").strip();
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
