package org.territorypotential.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * jobs/airflow/territory_potential_dag.py: compiles, and, executed against stand-ins for the
 * Airflow API (src/test/python/check_airflow_dag.py), builds one SparkSubmitOperator per
 * pipeline stage in the order of {@link org.territorypotential.pipeline.Stages#PIPELINE}, each submitting the shaded jar's main class
 * with its stage and run date, chained in that order, with retries. Skipped with a reason when
 * python3 is absent.
 */
class AirflowDagTest {
  private static final File DAG = new File("jobs/airflow/territory_potential_dag.py");
  private static final File CHECK = new File("src/test/python/check_airflow_dag.py");

  @Test
  void dagHasOneSparkSubmitPerStageInPipelineOrder() throws Exception {
    String python = python3();
    assumeTrue(python != null, "python3 is not on the PATH: the Airflow DAG is not checked");
    Process p = new ProcessBuilder(python, CHECK.getPath(), DAG.getPath()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not end");
    assertEquals(0, p.exitValue(), "check_airflow_dag.py failed:\n" + out);

    List<String> stages = org.territorypotential.pipeline.Stages.names();
    assertEquals(quoted(stages), field(out, "\"stages\": \\[([^\\]]*)\\]"), "DAG STAGES vs the pipeline's stages");
    List<String> taskIds = all(out, "\"task_id\": \"([^\"]+)\"");
    assertEquals(stages, taskIds, "one task per stage, in order");
    List<String> upstreams = all(out, "\"upstream\": \\[([^\\]]*)\\]");
    for (int i = 0; i < stages.size(); i++) {
      assertEquals(i == 0 ? "" : "\"" + stages.get(i - 1) + "\"", upstreams.get(i), stages.get(i) + ": upstream");
    }
    assertEquals(stages.size(), all(out, "\"java_class\": \"(org\\.territorypotential\\.cli\\.Main)\"").size(), "main class");
    assertEquals(stages.size(), all(out, "\"application\": \"([^\"]*-spark\\.jar[^\"]*)\"").size(), "application = shaded jar");
    List<String> args = all(out, "\"application_args\": \\[\"([^\"]+)\", \"--as-of\"");
    assertEquals(stages, args, "each task runs its own stage with --as-of");
    assertTrue(Integer.parseInt(field(out, "\"retries\": (\\d+)")) >= 1, "retries");
    String asOf = field(out, "\"as_of_june_2024\": (null|\"[^\"]*\")");
    if (!asOf.equals("null")) {
      assertEquals("\"2024-06-30\"", asOf, "run date of the June 2024 interval: its month end");
      assertEquals("\"2023-12-31\"", field(out, "\"as_of_fixed\": (\"[^\"]*\")"), "tp_as_of overrides the run date");
    } else {
      System.out.println("AirflowDagTest: jinja2 absent, the run-date template was not rendered");
    }
  }

  private static String python3() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "python3");
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  private static String quoted(List<String> xs) {
    return String.join(", ", xs.stream().map(x -> "\"" + x + "\"").toList());
  }

  private static String field(String s, String regex) {
    Matcher m = Pattern.compile(regex).matcher(s);
    assertTrue(m.find(), "no " + regex + " in:\n" + s);
    return m.group(1);
  }

  private static List<String> all(String s, String regex) {
    Matcher m = Pattern.compile(regex).matcher(s);
    List<String> r = new ArrayList<>();
    while (m.find()) {
      r.add(m.group(1));
    }
    return r;
  }
}
