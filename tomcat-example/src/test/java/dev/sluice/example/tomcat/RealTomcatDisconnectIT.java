package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.DisconnectContract;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.TomcatDistribution;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Disconnect detection on the stock Tomcat 11 distribution: {@code target/tomcat-example.war}
 * (which carries sluice-disconnect-tomcat in its {@code WEB-INF/lib}) on a CATALINA_BASE of its
 * own, started with {@code bin/catalina.sh run}, its stock NIO connector. Tomcat runs in a process
 * of its own, so only upstream's view is checked, not the exchange records.
 */
class RealTomcatDisconnectIT extends DisconnectContract {
  private final List<TomcatDistribution> tomcats = new ArrayList<>();

  @Override
  protected boolean recordsExchanges() {
    return false;
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("sluice.upstream", upstream.toString());
    settings.forEach((key, value) -> properties.put("sluice." + key, value));
    Path base = TomcatDistribution.newBase("disconnect");
    DistFiles.copy(RealTomcatRelayContractIT.WAR, base.resolve("webapps/tomcat-example.war"));
    TomcatDistribution tomcat = TomcatDistribution.start(base, properties, "",
        RealTomcatRelayContractIT.CONTEXT + "/hello");
    tomcats.add(tomcat);
    return ContainerUnderTest.of(URI.create(tomcat.root() + RealTomcatRelayContractIT.CONTEXT),
        "/hello", tomcat::close);
  }

  @Override
  protected ContainerUnderTest startTls(URI upstream, Map<String, String> settings,
      Path keyStore, String password) {
    throw new UnsupportedOperationException("TLS runs on embedded Tomcat (TomcatDisconnectIT)");
  }

  @Test
  void startupLineNamesTheDetector() {
    org.assertj.core.api.Assertions.assertThat(tomcats.get(0).console())
        .contains("client disconnects seen: tomcat-nio");
  }

  @Test
  @Disabled("The stock server.xml has no HTTP/2 upgrade protocol; h2c runs on embedded Tomcat "
      + "(TomcatDisconnectIT), the same release")
  @Override
  protected void h2c_streamResetBeforeUpstreamAnswers_upstreamCancelledAtOnce() {}

  @Test
  @Disabled("The stock server.xml has no HTTP/2 upgrade protocol; see TomcatDisconnectIT")
  @Override
  protected void h2c_connectionClosedBetweenEvents_upstreamCancelledAtOnce() {}

  @Test
  @Disabled("The stock server.xml has no TLS connector; see TomcatDisconnectIT")
  @Override
  protected void tls_keepAliveAndDetection() {}

  @Test
  @Disabled("Counts this JVM's descriptors and threads, and Tomcat runs in another process; see "
      + "TomcatDisconnectIT")
  @Override
  protected void thousandArmedExchanges_leaveNoDescriptorOrThread() {}
}
