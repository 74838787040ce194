package dev.sluice.testkit.contract;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs only {@link RelayContract}'s core checks, for a further deployment of a container whose
 * whole suite already runs elsewhere (a WAR on a server of its own, next to the embedded run):
 * byte-identical streams and bodies, {@code count_tokens} and the sub-path, unbuffered delivery,
 * upstream errors and Sluice's own, the app's other paths, and a client disconnect. Checks that
 * need further containers with other settings, or run for long, are reported skipped.
 *
 * <pre>{@code
 * @ExtendWith(CoreChecks.class)
 * class MyServerIT extends RelayContract { ... }
 * }</pre>
 *
 * Test methods the subclass declares itself always run.
 */
public final class CoreChecks implements ExecutionCondition {
  static final Set<String> CORE = Set.of(
      "streamedTranscript_relayedByteForByte",
      "streamSplitAnywhere_relayedByteForByte",
      "nonStreamingResponse_relayedByteForByte",
      "subPathAndQuery_forwarded",
      "requestBody_forwardedExactly",
      "chunkedRequestBody_forwardedExactly",
      "firstEvent_reachesClientBeforeUpstreamSendsTheNext",
      "requestHeaders_endToEndForwardedHopByHopDropped",
      "upstreamErrorStatus_relayedVerbatim",
      "upstreamCutMidStream_endsWithErrorEvent",
      "oversizedBody_rejectedWith413BeforeUpstream",
      "otherMethodOnGatewayPath_gets405",
      "otherPaths_passDownTheChainUntouched",
      "clientDisconnectMidStream_cancelsUpstream");

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<Method> method = context.getTestMethod();
    if (method.isEmpty()) {
      return ConditionEvaluationResult.enabled("class");
    }
    Method m = method.get();
    if (!m.getDeclaringClass().getName().startsWith(RelayContract.class.getPackageName() + ".")
        || CORE.contains(m.getName())) {
      return ConditionEvaluationResult.enabled("core check");
    }
    return ConditionEvaluationResult.disabled("not a core check: the whole RelayContract runs on "
        + "the embedded containers");
  }
}
