package dev.sluice.example.tomcat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * {@code @Disabled("reason")} for one of {@link dev.sluice.testkit.contract.RelayContract}'s tests,
 * on the subclass that runs it. The contract's test methods are package-private in another
 * package, so a subclass here cannot override one to put {@code @Disabled} on it; this names the
 * inherited test instead. The test shows as skipped, with the reason, in the reports. A name that
 * matches no test of the class fails the class, so a stale exclusion cannot linger.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(NotOnThisContainer.List.class)
@ExtendWith(NotOnThisContainer.Condition.class)
public @interface NotOnThisContainer {
  /** The test method's name (every invocation of a parameterized test). */
  String test();

  /** Why it cannot pass here: expected vs actual, and where it has to be fixed. */
  String reason();

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @ExtendWith(NotOnThisContainer.Condition.class)
  public @interface List {
    NotOnThisContainer[] value();
  }

  public final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      Class<?> type = context.getRequiredTestClass();
      java.util.List<NotOnThisContainer> exclusions =
          AnnotationSupport.findRepeatableAnnotations(type, NotOnThisContainer.class);
      if (context.getTestMethod().isEmpty()) {
        for (NotOnThisContainer n : exclusions) {
          java.util.List<Method> found = ReflectionSupport.findMethods(type,
              m -> m.getName().equals(n.test()), HierarchyTraversalMode.TOP_DOWN);
          if (found.isEmpty()) {
            throw new IllegalStateException(type.getSimpleName() + " excludes '" + n.test()
                + "', which is not one of its tests");
          }
        }
        return ConditionEvaluationResult.enabled("the class runs");
      }
      String name = context.getRequiredTestMethod().getName();
      for (NotOnThisContainer n : exclusions) {
        if (n.test().equals(name)) {
          return ConditionEvaluationResult.disabled(n.reason());
        }
      }
      return ConditionEvaluationResult.enabled("not excluded on this container");
    }
  }
}
