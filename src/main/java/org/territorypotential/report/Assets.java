package org.territorypotential.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JavaScript and CSS inlined into each report, read from the WebJars on the classpath (their
 * versions pinned in pom.xml and read here from each WebJar's own pom.properties), with their
 * licence texts. Leaflet's CSS points at image files; those become data URIs so that nothing is
 * fetched.
 */
public final class Assets {
  /** One vendored library: name, version, licence text. */
  public record Library(String name, String version, String licence) {}

  private static final Pattern CSS_URL = Pattern.compile("url\\((['\"]?)(images/[^)'\"]+)\\1\\)");
  private static Assets cached;

  public final String leafletJs;
  public final String leafletCss;
  public final String echartsJs;
  public final Map<String, Library> libraries = new LinkedHashMap<>();

  private Assets() {
    String leaflet = root("leaflet");
    String echarts = root("echarts");
    leafletJs = text(leaflet + "/dist/leaflet.js");
    leafletCss = inlineImages(text(leaflet + "/dist/leaflet.css"), leaflet + "/dist/");
    echartsJs = text(echarts + "/dist/echarts.min.js");
    libraries.put("leaflet", new Library("Leaflet", version("leaflet"), text(leaflet + "/LICENSE")));
    libraries.put("echarts", new Library("Apache ECharts", version("echarts"),
        text(echarts + "/LICENSE") + "\n\n" + text(echarts + "/NOTICE") + "\n\nlicenses/LICENSE-d3:\n" + text(echarts + "/licenses/LICENSE-d3")));
  }

  public static synchronized Assets get() {
    if (cached == null) {
      cached = new Assets();
    }
    return cached;
  }

  private static String root(String artifact) {
    return "META-INF/resources/webjars/" + artifact + "/" + version(artifact);
  }

  static String version(String artifact) {
    Properties p = new Properties();
    try (InputStream in = resource("META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the " + artifact + " WebJar's version: " + e.getMessage(), e);
    }
    return p.getProperty("version");
  }

  private static InputStream resource(String path) {
    InputStream in = Assets.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException(path + " is not on the classpath (the report's WebJars, pom.xml)");
    }
    return in;
  }

  private static byte[] bytes(String path) {
    try (InputStream in = resource(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static String text(String path) {
    return new String(bytes(path), StandardCharsets.UTF_8);
  }

  /** {@code css} with each {@code url(images/...)} replaced by a data URI of that file under {@code base}. */
  static String inlineImages(String css, String base) {
    Matcher m = CSS_URL.matcher(css);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String file = m.group(2);
      String mime = file.endsWith(".svg") ? "image/svg+xml" : "image/png";
      String data = "url(data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes(base + file)) + ")";
      m.appendReplacement(out, Matcher.quoteReplacement(data));
    }
    m.appendTail(out);
    return out.toString();
  }
}
