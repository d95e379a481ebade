package org.territorypotential.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol (a WebSocket, Java's own HTTP client; no
 * driver download): prints dealer sheets to PDF, and lets tests load a report and read its console,
 * its network requests and its rendered DOM. Every page is loaded with a proxy that goes nowhere,
 * so a report that tried to fetch anything would fail visibly rather than quietly work online.
 */
public final class Chromium implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Map<String, Page> pages = new ConcurrentHashMap<>();

  /** The Chromium executable: {@code configured} if it is a path or a name on PATH, else empty. */
  public static Optional<String> find(String configured) {
    File f = new File(configured);
    if (f.isAbsolute()) {
      return f.canExecute() ? Optional.of(f.getPath()) : Optional.empty();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File c = new File(dir, configured);
      if (c.canExecute()) {
        return Optional.of(c.getPath());
      }
    }
    return Optional.empty();
  }

  public static Chromium start(String executable) throws IOException {
    Path profile = Files.createTempDirectory("tp-chromium");
    Process p = new ProcessBuilder(executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    String url = null;
    StringBuilder seen = new StringBuilder();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    String line;
    while (url == null && System.nanoTime() < deadline && (line = err.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        url = m.group(1);
      } else if (seen.length() < 4000) {
        seen.append(line).append('\n');
      }
    }
    if (url == null) {
      p.destroyForcibly();
      throw new IOException(executable + " did not open its DevTools port:\n" + seen);
    }
    Thread drain = new Thread(() -> {
      try {
        while (err.readLine() != null) {
          // keep the pipe empty
        }
      } catch (IOException ignored) {
        // the browser ended
      }
    }, "chromium-stderr");
    drain.setDaemon(true);
    drain.start();
    return new Chromium(p, profile, url);
  }

  private Chromium(Process process, Path profile, String url) throws IOException {
    this.process = process;
    this.profile = profile;
    try {
      this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new Listener())
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException("cannot connect to Chromium's DevTools at " + url + ": " + e, e);
    }
  }

  /** Sends one command (to a page when {@code session} is not null) and waits for its result. */
  JsonNode send(String session, String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    ObjectNode msg = Json.mapper().createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", Json.mapper().valueToTree(params));
    if (session != null) {
      msg.put("sessionId", session);
    }
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(msg.toString(), true).join();
    try {
      JsonNode reply = f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (reply.has("error")) {
        throw new IllegalStateException(method + " failed: " + reply.get("error"));
      }
      return reply.path("result");
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(method + " got no answer from Chromium in " + TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(method + ": " + e, e);
    } finally {
      pending.remove(id);
    }
  }

  /** Opens {@code html} in a new tab of {@code width} x {@code height} CSS pixels and waits for its load event and {@code settle}. */
  public Page open(Path html, int width, int height, Duration settle) {
    String target = send(null, "Target.createTarget", Map.of("url", "about:blank"))
        .get("targetId").asText();
    String session = send(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId").asText();
    Page page = new Page(this, target, session);
    pages.put(session, page);
    for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
      send(session, domain + ".enable", Map.of());
    }
    send(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
        "mobile", false));
    page.loaded = new CompletableFuture<>();
    send(session, "Page.navigate", Map.of("url", html.toAbsolutePath().toUri().toString()));
    try {
      page.loaded.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      Thread.sleep(settle.toMillis());
    } catch (Exception e) {
      throw new IllegalStateException(html + " did not load in " + TIMEOUT.toSeconds() + " s: " + e, e);
    }
    return page;
  }

  @Override
  public void close() {
    try {
      send(null, "Browser.close", Map.of());
    } catch (RuntimeException ignored) {
      // ending it anyway below
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(Collections.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind
    }
  }

  private void dispatch(JsonNode msg) {
    if (msg.has("id")) {
      CompletableFuture<JsonNode> f = pending.get(msg.get("id").asInt());
      if (f != null) {
        f.complete(msg);
      }
      return;
    }
    Page page = pages.get(msg.path("sessionId").asText(""));
    if (page != null) {
      page.event(msg.path("method").asText(), msg.path("params"));
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder buffer = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String text = buffer.toString();
        buffer.setLength(0);
        try {
          dispatch(Json.mapper().readTree(text));
        } catch (IOException e) {
          // not JSON: ignore
        }
      }
      ws.request(1);
      return null;
    }
  }

  /** One tab: what it logged and requested, and commands on it. */
  public static final class Page implements AutoCloseable {
    private final Chromium browser;
    private final String target;
    private final String session;
    private volatile CompletableFuture<Void> loaded;
    /** Console errors, uncaught exceptions and browser log errors, as text. */
    public final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    /** Every URL the page requested (the page itself included). */
    public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** Messages of JavaScript dialogs (alert, confirm) the page opened. */
    public final List<String> dialogs = Collections.synchronizedList(new ArrayList<>());

    private Page(Chromium browser, String target, String session) {
      this.browser = browser;
      this.target = target;
      this.session = session;
    }

    private void event(String method, JsonNode p) {
      switch (method) {
        case "Page.loadEventFired" -> {
          if (loaded != null) {
            loaded.complete(null);
          }
        }
        case "Runtime.consoleAPICalled" -> {
          if ("error".equals(p.path("type").asText()) || "assert".equals(p.path("type").asText())) {
            errors.add("console." + p.path("type").asText() + ": " + p.path("args"));
          }
        }
        case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
        case "Log.entryAdded" -> {
          if ("error".equals(p.path("entry").path("level").asText())) {
            errors.add("log: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText());
          }
        }
        case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
        case "Page.javascriptDialogOpening" -> {
          dialogs.add(p.path("message").asText());
          new Thread(() -> browser.send(session, "Page.handleJavaScriptDialog", Map.of("accept", true))).start();
        }
        default -> { }
      }
    }

    /** The value of a JavaScript expression (awaited when it is a promise), as JSON. */
    public JsonNode eval(String expression) {
      JsonNode r = browser.send(session, "Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
          "awaitPromise", true));
      if (r.has("exceptionDetails")) {
        throw new IllegalStateException("evaluating " + expression + ": " + r.get("exceptionDetails"));
      }
      return r.path("result").path("value");
    }

    public byte[] screenshot() {
      return Base64.getDecoder().decode(browser.send(session, "Page.captureScreenshot", Map.of("format", "png"))
          .get("data").asText());
    }

    /** The page printed to PDF (A4, backgrounds printed). */
    public byte[] pdf() {
      return Base64.getDecoder().decode(browser.send(session, "Page.printToPDF", Map.of("printBackground", true,
          "paperWidth", 8.27, "paperHeight", 11.69, "preferCSSPageSize", true)).get("data").asText());
    }

    @Override
    public void close() {
      browser.pages.remove(session);
      browser.send(null, "Target.closeTarget", Map.of("targetId", target));
    }
  }
}
