"""Runs AWS SAM's translator on a template and prints the CloudFormation it expands to, as JSON.

Usage: python3 sam_translate.py TEMPLATE [Name=Value ...]
The samtranslator package comes with cfn-lint. Local CodeUris are replaced by an S3 URI first (SAM accepts only
those), as cfn-lint does; managed policy names resolve from cfn-lint's copy of SAM CLI's map, so no AWS call is made.
"""
import json
import os
import sys

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from cfnlint.data import Serverless  # noqa: E402
from cfnlint.decode import decode  # noqa: E402
from cfnlint.helpers import load_resource  # noqa: E402
from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.parser import parser  # noqa: E402
from samtranslator.translator.translator import Translator  # noqa: E402


def main(argv):
    template, problems = decode(argv[1])
    if template is None:
        sys.stderr.write("cannot read %s: %s\n" % (argv[1], problems))
        return 2
    template = json.loads(json.dumps(template, default=str))
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(properties.get("CodeUri"), str):
            properties["CodeUri"] = "s3://bucket/key"
    parameters = dict(arg.split("=", 1) for arg in argv[2:])
    translator = Translator(managed_policy_map=load_resource(Serverless, "ManagedPolicies.json"),
                            sam_parser=parser.Parser())
    try:
        output = translator.translate(sam_template=template, parameter_values=parameters)
    except InvalidDocumentException as e:
        for cause in e.causes:
            sys.stderr.write("%s\n" % cause.message)
        return 1
    json.dump(output, sys.stdout, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
