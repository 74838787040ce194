package dev.sluice.testkit.dist;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.DefaultHandler;

/**
 * The main class of a {@link StandaloneJetty} JVM, whose class path holds only Jetty's own jars
 * (core and one environment's: {@code ee10} or {@code ee11}), the jars of the base's modules and
 * this class. It builds what Jetty's {@code jetty.xml}, {@code jetty-http.xml} and the
 * environment's deployer build, then applies the modules' XML files to the server as {@code
 * start.jar} would: a {@code Server} whose handler is the {@code Contexts} collection followed by
 * a {@code DefaultHandler}, one HTTP/1.1 connector on 127.0.0.1, and one {@code WebAppContext}
 * of the environment per {@code $JETTY_BASE/webapps/*.war} (context path from the file name,
 * {@code ROOT.war} at {@code /}), with the environment's defaults.
 *
 * <p>Arguments: {@code <port> <environment> <base> [<module xml>...]}. No lambdas or nested
 * classes: {@link StandaloneJetty} copies this one class file next to the jars.
 */
public final class JettyLauncher {
  private JettyLauncher() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String environment = args[1];
    Path base = Path.of(args[2]);

    Server server = new Server();
    HttpConfiguration httpConfig = new HttpConfiguration();
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    server.setHandler(new Handler.Sequence(contexts, new DefaultHandler()));

    Map<String, Object> ids = new TreeMap<>();
    ids.put("Server", server);
    ids.put("httpConfig", httpConfig);
    ids.put("httpConnector", connector);
    ids.put("Contexts", contexts);
    for (int i = 3; i < args.length; i++) {
      configure(Path.of(args[i]), server, ids);
    }
    List<Path> wars;
    try (Stream<Path> s = Files.list(base.resolve("webapps"))) {
      wars = s.filter(p -> p.getFileName().toString().endsWith(".war")).sorted().toList();
    }
    for (Path war : wars) {
      contexts.addHandler(webApp(environment, war));
    }
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("StandaloneJetty " + Server.getVersion() + " (" + environment
        + ") started on " + connector.getLocalPort() + " with " + wars.size() + " web app(s)");
    server.join();
  }

  /** A module's Jetty XML file applied to the server, with the ids the stock XML files define. */
  private static void configure(Path file, Server server, Map<String, Object> ids)
      throws Exception {
    Class<?> resourceFactory = Class.forName("org.eclipse.jetty.util.resource.ResourceFactory");
    Object root = resourceFactory.getMethod("root").invoke(null);
    Object resource = resourceFactory.getMethod("newResource", Path.class).invoke(root, file);
    Class<?> xmlClass = Class.forName("org.eclipse.jetty.xml.XmlConfiguration");
    Object xml = xmlClass.getConstructor(Class.forName("org.eclipse.jetty.util.resource.Resource"))
        .newInstance(resource);
    @SuppressWarnings("unchecked")
    Map<String, Object> idMap = (Map<String, Object>) xmlClass.getMethod("getIdMap").invoke(xml);
    idMap.putAll(ids);
    @SuppressWarnings("unchecked")
    Map<String, String> properties =
        (Map<String, String>) xmlClass.getMethod("getProperties").invoke(xml);
    Properties system = System.getProperties();
    for (String name : system.stringPropertyNames()) {
      properties.put(name, system.getProperty(name));
    }
    xmlClass.getMethod("configure", Object.class).invoke(xml, server);
    ids.putAll(idMap);
  }

  /** What the environment's deployer makes of a WAR in {@code webapps/}. */
  private static Handler webApp(String environment, Path war) throws Exception {
    Class<?> type = Class.forName("org.eclipse.jetty." + environment + ".webapp.WebAppContext");
    Object context = type.getConstructor().newInstance();
    String name = war.getFileName().toString().replaceFirst("\\.war$", "");
    type.getMethod("setContextPath", String.class)
        .invoke(context, name.equals("ROOT") ? "/" : "/" + name);
    type.getMethod("setWar", String.class).invoke(context, war.toAbsolutePath().toString());
    File temp = war.getParent().getParent().resolve("work").resolve(name).toFile();
    temp.mkdirs();
    type.getMethod("setTempDirectory", File.class).invoke(context, temp);
    return (Handler) context;
  }
}
