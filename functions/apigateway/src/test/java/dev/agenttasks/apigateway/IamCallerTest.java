package dev.agenttasks.apigateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext.IAM;

/** Every kind of IAM principal API Gateway reports, named by what does not change between its sessions. */
class IamCallerTest {

    private static IAM iam(String userArn, String userId) {
        return IAM.builder().withUserArn(userArn).withUserId(userId).withCallerId(userId)
                .withAccountId("123456789012").withAccessKey("ASIAXMPLEXAMPLEKEY01").build();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "arn:aws:sts::123456789012:assumed-role/app/alice; AROAXMPLEROLE0000001:alice;"
                    + " iam:arn:aws:sts::123456789012:assumed-role/app|AROAXMPLEROLE0000001",
            "arn:aws:sts::123456789012:assumed-role/app/i-0abc123; AROAXMPLEROLE0000001:i-0abc123;"
                    + " iam:arn:aws:sts::123456789012:assumed-role/app|AROAXMPLEROLE0000001",
            "arn:aws-us-gov:sts::123456789012:assumed-role/app/bob@example.com; AROAXMPLEROLE0000002:bob@example.com;"
                    + " iam:arn:aws-us-gov:sts::123456789012:assumed-role/app|AROAXMPLEROLE0000002",
            "arn:aws:iam::123456789012:user/alice; AIDAXMPLEUSER0000001;"
                    + " iam:arn:aws:iam::123456789012:user/alice|AIDAXMPLEUSER0000001",
            "arn:aws:iam::123456789012:root; 123456789012; iam:arn:aws:iam::123456789012:root|123456789012",
            "arn:aws:sts::123456789012:federated-user/alice; 123456789012:alice;"
                    + " iam:arn:aws:sts::123456789012:federated-user|123456789012",
    })
    void theCallerIsThePrincipalWithoutTheNameItsCredentialsWereIssuedUnder(String userArn, String userId,
                                                                          String expected) {
        assertThat(IamCaller.of(iam(userArn, userId))).contains(expected);
    }

    @Test
    void aRoleRecreatedUnderTheSameNameIsAnotherCaller() {
        assertThat(IamCaller.of(iam("arn:aws:sts::123456789012:assumed-role/app/s", "AROAXMPLEROLE0000001:s")))
                .isNotEqualTo(IamCaller.of(iam("arn:aws:sts::123456789012:assumed-role/app/s", "AROAXMPLEROLE0000009:s")));
    }

    @Test
    void theSameRoleNameInAnotherAccountIsAnotherCaller() {
        assertThat(IamCaller.of(iam("arn:aws:sts::111111111111:assumed-role/app/s", "AROAXMPLEROLE0000001:s")))
                .isNotEqualTo(IamCaller.of(iam("arn:aws:sts::222222222222:assumed-role/app/s", "AROAXMPLEROLE0000001:s")));
    }

    @Test
    void aCognitoIdentityIsTheCallerWhateverRoleAndSessionItSignedWith() {
        CognitoIdentity identity = CognitoIdentity.builder().withIdentityId("us-east-1:11111111-2222-4333-8444-555555555555")
                .withIdentityPoolId("us-east-1:66666666-7777-4888-9999-000000000000")
                .withAmr(List.of("authenticated")).build();
        IAM authenticated = iam("arn:aws:sts::123456789012:assumed-role/pool-auth/CognitoIdentityCredentials",
                "AROAXMPLEROLE0000001:CognitoIdentityCredentials");
        IAM admin = iam("arn:aws:sts::123456789012:assumed-role/pool-admins/web-session-7",
                "AROAXMPLEROLE0000002:web-session-7");
        authenticated.setCognitoIdentity(identity);
        admin.setCognitoIdentity(identity);

        assertThat(IamCaller.of(authenticated)).isEqualTo(IamCaller.of(admin))
                .contains("cognito:us-east-1:66666666-7777-4888-9999-000000000000|us-east-1:11111111-2222-4333-8444-555555555555");
    }

    @Test
    void aCognitoIdentityBlockWithoutAnIdentityIdFallsBackToThePrincipal() {
        IAM signed = iam("arn:aws:sts::123456789012:assumed-role/app/s", "AROAXMPLEROLE0000001:s");
        signed.setCognitoIdentity(CognitoIdentity.builder().withIdentityId(" ").build());

        assertThat(IamCaller.of(signed)).contains("iam:arn:aws:sts::123456789012:assumed-role/app|AROAXMPLEROLE0000001");
    }

    @Test
    void withoutAUserArnOrAUniqueIdThereIsNoCaller() {
        assertThat(IamCaller.of(iam(null, "AROAXMPLEROLE0000001:s"))).isEmpty();
        assertThat(IamCaller.of(iam("arn:aws:sts::123456789012:assumed-role/app/s", null))).isEmpty();
        assertThat(IamCaller.of(iam("arn:aws:sts::123456789012:assumed-role/app/s", ":s"))).isEmpty();
    }

    @Test
    void anArnOfAnUnknownShapeIsKeptWhole() {
        assertThat(IamCaller.withoutChosenName("not-an-arn")).isEqualTo("not-an-arn");
        assertThat(IamCaller.withoutChosenName("arn:aws:sts::123456789012:assumed-role/no-session"))
                .isEqualTo("arn:aws:sts::123456789012:assumed-role/no-session");
    }
}
