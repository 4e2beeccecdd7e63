package dev.agenttasks.apigateway;

import java.util.Optional;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext.IAM;

/**
 * The caller of a SigV4-signed request, from what IAM vouches for rather than from names the caller picks.
 *
 * <ul>
 *   <li>Credentials from a Cognito identity pool: {@code cognito:<identityPoolId>|<identityId>}. Every identity of
 *       a pool signs with the same role (and, in the enhanced flow, the same session name), so only the identity
 *       id tells them apart; it stays the same across credential refreshes.</li>
 *   <li>Any other principal: {@code iam:<ARN without a session or federated-user name>|<unique id>}. The session
 *       name of an assumed role ({@code assumed-role/<role>/<session>}) and the name of a federated user are
 *       chosen by whoever calls STS, so they are dropped: all sessions of a role are one caller. The unique id
 *       ({@code AROA…} of a role, {@code AIDA…} of a user, the account of the root user or a federated user) is
 *       the part of {@code userId} before {@code :}; it tells a role or user apart from a deleted one that had
 *       the same name.</li>
 * </ul>
 * A context without a user ARN or a unique id has no caller.
 */
final class IamCaller {

    private IamCaller() {
    }

    static Optional<String> of(IAM iam) {
        CognitoIdentity cognito = iam.getCognitoIdentity();
        if (cognito != null && !isBlank(cognito.getIdentityId())) {
            String pool = cognito.getIdentityPoolId() == null ? "" : cognito.getIdentityPoolId();
            return Optional.of("cognito:" + pool + "|" + cognito.getIdentityId());
        }
        String userArn = iam.getUserArn();
        String userId = iam.getUserId();
        if (isBlank(userArn) || isBlank(userId)) {
            return Optional.empty();
        }
        String uniqueId = userId.contains(":") ? userId.substring(0, userId.indexOf(':')) : userId;
        if (uniqueId.isBlank()) {
            return Optional.empty();
        }
        return Optional.of("iam:" + withoutChosenName(userArn) + "|" + uniqueId);
    }

    /**
     * {@code arn:<partition>:sts::<account>:assumed-role/<role>/<session>} without {@code /<session>}, and
     * {@code arn:<partition>:sts::<account>:federated-user/<name>} without {@code /<name>}; other ARNs as they are.
     */
    static String withoutChosenName(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("sts")) {
            return arn;
        }
        String resource = parts[5];
        String prefix = arn.substring(0, arn.length() - resource.length());
        if (resource.startsWith("assumed-role/")) {
            int sessionSlash = resource.indexOf('/', "assumed-role/".length());
            return sessionSlash < 0 ? arn : prefix + resource.substring(0, sessionSlash);
        }
        if (resource.startsWith("federated-user/")) {
            return prefix + "federated-user";
        }
        return arn;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
