package dev.sluice.upstream;

import java.time.Duration;

/** The transport contract with the JDK client's callbacks on its selector thread. */
class JdkDirectExecutorTest extends TransportContract {
  @Override
  protected UpstreamTransport create(Duration connectTimeout) {
    return JdkHttpTransport.create(connectTimeout, JdkHttpTransport.ExecutorKind.DIRECT);
  }

  @Override
  protected boolean addsOwnUserAgent() {
    return true;
  }
}
