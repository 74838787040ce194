package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.RelayContract;
import java.net.URI;
import java.util.Map;

/**
 * The relay contract (testkit) on this example: embedded Tomcat 11, Sluice declared in web.xml,
 * the connector at Tomcat's defaults except the address (so its 30 s async timeout is live, and
 * the contract's slow test proves Sluice switches it off).
 */
@NotOnThisContainer(test = "streamedTranscript_relayedByteForByte",
    reason = TomcatDifferences.CONTENT_TYPE_REWRITTEN)
@NotOnThisContainer(test = "unreachableUpstream_becomes502ApiError",
    reason = TomcatDifferences.LOCAL_ERROR_BODY_LOST)
@NotOnThisContainer(test = "silentUpstream_becomes504TimeoutErrorAndIsCancelled",
    reason = TomcatDifferences.LOCAL_ERROR_BODY_LOST)
class TomcatRelayContractIT extends RelayContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    TomcatExample.Running running = TomcatExample.start(0, upstream, settings);
    return new ContainerUnderTest() {
      @Override
      public URI baseUri() {
        return running.baseUri();
      }

      @Override
      public String appPath() {
        return "/hello";
      }

      @Override
      public void close() {
        running.close();
      }
    };
  }
}
