#!/usr/bin/env python3
"""Seed a moto server with an N-service x 2-region deployment for switchyard (default 2 services:
sample, billing; then svc03..svcNN, all in one hosted zone), write a config for it, and optionally
time the same read calls made one after another (the sequential baseline).

    seed_moto.py ENDPOINT CONFIG_PATH [--sequential-reads] [--services N]

Used by scripts/bench-snapshot.sh and scripts/bench-latency.sh; needs boto3 (installed with
moto[server]). Seeding reuses one boto3 client per service and region (building them was about
40 % of a 20-service seed) and makes its calls one at a time: moto is a single process."""
import functools, io, json, sys, time, zipfile

import boto3

ENDPOINT, CONFIG = sys.argv[1], sys.argv[2]
COUNT = int(sys.argv[sys.argv.index("--services") + 1]) if "--services" in sys.argv else 2
REGIONS = ["us-east-1", "us-west-2"]
SERVICES = (["sample", "billing"] + [f"svc{i:02d}" for i in range(3, COUNT + 1)])[:COUNT]
FUNCTIONS = ["api", "worker"]


def client(name, region="us-east-1"):
    return boto3.client(name, region_name=region, endpoint_url=ENDPOINT,
                        aws_access_key_id="test", aws_secret_access_key="test")


seed_client = functools.lru_cache(maxsize=None)(client)  # seeding only: the timed reads are unchanged


def zip_bytes(text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", text)
    return buf.getvalue()


def seed():
    r53 = seed_client("route53")
    zone = r53.create_hosted_zone(Name="fed.dev", CallerReference=str(time.time()))["HostedZone"]["Id"].split("/")[-1]
    role = seed_client("iam").create_role(RoleName="switchyard-bench", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    changes = []
    for svc in SERVICES:
        domain = f"{svc}.fed.dev"
        for i, region in enumerate(REGIONS):
            hc = r53.create_health_check(CallerReference=f"{svc}-{region}-{time.time()}", HealthCheckConfig={
                "Type": "HTTPS", "FullyQualifiedDomainName": f"{region}.{domain}", "Port": 443,
                "ResourcePath": "/health", "Regions": ["us-east-1", "us-west-1", "us-west-2"]})["HealthCheck"]["Id"]
            apigw = seed_client("apigateway", region)
            api = apigw.create_rest_api(name=f"{svc}-api", endpointConfiguration={"types": ["REGIONAL"]})["id"]
            root = apigw.get_resources(restApiId=api)["items"][0]["id"]
            apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
            apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
            apigw.create_deployment(restApiId=api, stageName="prod")
            targets = {}
            for name in (domain, f"{region}.{domain}"):
                d = apigw.create_domain_name(domainName=name, regionalCertificateArn="arn:aws:acm:::certificate/x",
                                             endpointConfiguration={"types": ["REGIONAL"]})
                targets[name] = d["regionalDomainName"]
                apigw.create_base_path_mapping(domainName=name, restApiId=api, stage="prod")
            changes.append({"Action": "UPSERT", "ResourceRecordSet": {
                "Name": domain, "Type": "CNAME", "TTL": 60, "SetIdentifier": f"{svc}-{region}",
                "Failover": "PRIMARY" if i == 0 else "SECONDARY", "HealthCheckId": hc,
                "ResourceRecords": [{"Value": targets[domain]}]}})
            changes.append({"Action": "UPSERT", "ResourceRecordSet": {
                "Name": f"{region}.{domain}", "Type": "CNAME", "TTL": 60,
                "ResourceRecords": [{"Value": targets[f"{region}.{domain}"]}]}})
            lam = seed_client("lambda", region)
            for f in FUNCTIONS:
                lam.create_function(FunctionName=f"{svc}-{f}", Runtime="python3.12", Role=role, Handler="index.h",
                                    Code={"ZipFile": zip_bytes(f"# {svc} {f}\n")}, MemorySize=512)
            s3 = seed_client("s3", region)
            bucket = f"{svc}-artifacts-{region}"
            kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=bucket, **kwargs)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            s3.put_object(Bucket=bucket, Key=f"builds/{svc}-1.zip", Body=b"build 1")
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    with open(CONFIG, "w") as out:
        out.write(f'[aws]\nendpoint_url = "{ENDPOINT}"\ncontrol_region = "us-east-1"\n')
        for svc in SERVICES:
            out.write(f'\n[[service]]\nname = "{svc}"\ndomain = "{svc}.fed.dev"\nhosted_zone_id = "{zone}"\n'
                      f'regions = {json.dumps(REGIONS)}\nfunctions = {json.dumps([f"{svc}-{f}" for f in FUNCTIONS])}\n'
                      f'\n[service.artifacts]\nbucket = "{svc}-artifacts-{{region}}"\nprefix = "builds/"\n')
    return zone


def sequential_reads(zone):
    """The reads switchyard makes in one refresh, one after another (moto has no CloudWatch for
    boto3's protocol either way: those calls are left out of both)."""
    r53 = client("route53")
    start = time.perf_counter()
    records = r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    for rec in records:
        if rec.get("HealthCheckId"):
            r53.get_health_check(HealthCheckId=rec["HealthCheckId"])
            r53.get_health_check_status(HealthCheckId=rec["HealthCheckId"])
    for region in REGIONS:
        apigw, apigw2, lam, s3 = (client(n, region) for n in ("apigateway", "apigatewayv2", "lambda", "s3"))
        for d in apigw.get_domain_names()["items"]:
            apigw.get_base_path_mappings(domainName=d["domainName"])
        apigw2.get_domain_names()
        r53.list_resource_record_sets(HostedZoneId=zone)
        for svc in SERVICES:
            for f in FUNCTIONS:
                lam.get_function_configuration(FunctionName=f"{svc}-{f}")
            versions = s3.list_object_versions(Bucket=f"{svc}-artifacts-{region}", Prefix="builds/")["Versions"]
            if region == REGIONS[0]:
                for v in versions:
                    s3.head_object(Bucket=f"{svc}-artifacts-{region}", Key=v["Key"], VersionId=v["VersionId"])
                try:
                    s3.get_bucket_replication(Bucket=f"{svc}-artifacts-{region}")
                except s3.exceptions.ClientError:
                    pass  # no replication configured, as in the seeded buckets
    client("sts").get_caller_identity()
    return time.perf_counter() - start


zone = seed()
if "--sequential-reads" in sys.argv:
    sequential_reads(zone)  # warm every service once
    runs = sorted(sequential_reads(zone) for _ in range(5))
    print(f"sequential boto3 reads: median {runs[2] * 1000:.0f} ms over 5 runs")
