//! 2. AWS responses: the strategies (statuses, error bodies, byte edits, templated bodies, CBOR) a fetch is fed.

use super::*;

/// One raw HTTP response. Debug shows the body as (lossy) text.
#[derive(Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: Vec<u8>,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HTTP {} {:?} {:?}",
            self.status,
            self.headers,
            String::from_utf8_lossy(&self.body)
        )
    }
}

impl Reply {
    pub(crate) fn http(&self) -> HttpResponse {
        let status = StatusCode::try_from(self.status).unwrap();
        let mut response = HttpResponse::new(status, SdkBody::from(self.body.clone()));
        for (name, value) in &self.headers {
            // A value `http` rejects (control characters) is simply not sent.
            let _ = response
                .headers_mut()
                .try_append(name.clone(), value.clone());
        }
        response
    }
}

/// The wire protocols the sources speak, for error bodies and content types.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Proto {
    /// Route 53: REST-XML, errors in `<ErrorResponse><Error>`.
    Route53Xml,
    /// S3: REST-XML, errors in `<Error>`.
    S3Xml,
    /// API Gateway v1/v2 and Lambda: REST-JSON, error code in `x-amzn-errortype` or `__type`.
    RestJson,
    /// CodePipeline: AWS JSON 1.1.
    AwsJson,
    /// CloudWatch: Smithy RPC v2 CBOR.
    Cbor,
}

impl Proto {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Proto::Route53Xml | Proto::S3Xml => "application/xml",
            Proto::RestJson => "application/json",
            Proto::AwsJson => "application/x-amz-json-1.1",
            Proto::Cbor => "application/cbor",
        }
    }
}

pub(crate) fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        10 => Just(200u16),
        6 => select(vec![400u16, 403, 404, 429, 500, 503]),
        1 => select(vec![201u16, 204, 206, 301, 304, 409, 413]),
        2 => 100u16..=599,
    ]
}

const ERROR_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "PriorRequestNotComplete",
    "SlowDown",
    "AccessDenied",
    "AccessDeniedException",
    "Forbidden",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchHealthCheck",
    "NoSuchHostedZone",
    "InvalidInput",
    "NotFoundException",
    "BadRequestException",
    "ResourceNotFoundException",
    "PipelineNotFoundException",
    "PipelineExecutionNotFoundException",
    "ValidationException",
    "ReplicationConfigurationNotFoundError",
    "InvalidNextToken",
    "InternalFailure",
    "InternalServiceError",
    "ServiceUnavailable",
    "ServiceException",
    "com.amazon.coral.availability#ThrottlingException",
    "aws.protocoltests#Weird:http://internal.amazon.com/coral/x/",
    "#",
    ":",
    "",
];

fn error_code() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(ERROR_CODES).prop_map(String::from),
        1 => "[A-Za-z#:.]{0,24}",
        1 => "\\PC{0,12}",
    ]
}

pub(crate) fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Rate exceeded".to_string()),
        2 => "[a-zA-Z ,.]{0,40}",
        1 => "\\PC{0,20}",
        1 => select(vec!["<", "&", "\"", "\\", "]]>", "&#0;", "\\u0000", "\\ud800"]).prop_map(String::from),
    ]
}

/// Header names and values, in order.
type Headers = Vec<(String, String)>;

/// A modeled error body in the protocol's shape, with the headers that go with it.
fn error_body(proto: Proto) -> BoxedStrategy<(Vec<u8>, Headers)> {
    (error_code(), message(), any::<bool>())
        .prop_map(move |(code, message, in_header)| {
            let mut headers = Vec::new();
            let body = match proto {
                Proto::Route53Xml => format!(
                    "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
                )
                .into_bytes(),
                Proto::S3Xml => format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>req-1</RequestId><HostId>host</HostId></Error>"
                )
                .into_bytes(),
                Proto::RestJson if in_header => {
                    headers.push(("x-amzn-errortype".to_string(), code));
                    format!("{{\"message\":\"{message}\"}}").into_bytes()
                }
                Proto::RestJson | Proto::AwsJson => {
                    format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}").into_bytes()
                }
                Proto::Cbor => {
                    if in_header {
                        headers.push(("x-amzn-query-error".to_string(), format!("{code};Sender")));
                    }
                    encode(&Cbor::Map(vec![
                        ("__type".into(), Cbor::Text(code)),
                        ("message".into(), Cbor::Text(message)),
                    ]))
                }
            };
            (body, headers)
        })
        .boxed()
}

/// One edit of a body's bytes.
#[derive(Debug, Clone)]
enum ByteEdit {
    Delete(Index),
    DeleteSpan(Index, usize),
    Insert(Index, u8),
    InsertText(Index, String),
    Replace(Index, u8),
    Duplicate(Index, usize),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let text = select(vec![
        "<",
        ">",
        "</",
        "/>",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "&",
        "&amp;",
        "<![CDATA[",
        "null",
        "true",
        "-",
        "e",
        "\\",
        "\\u",
        "\u{0}",
        "é",
        "😀",
        "\u{feff}",
    ])
    .prop_map(String::from);
    prop_oneof![
        3 => any::<Index>().prop_map(ByteEdit::Delete),
        1 => (any::<Index>(), 1usize..32).prop_map(|(i, n)| ByteEdit::DeleteSpan(i, n)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        2 => (any::<Index>(), text).prop_map(|(i, t)| ByteEdit::InsertText(i, t)),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Replace(i, b)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| ByteEdit::Duplicate(i, n)),
    ]
}

fn edit_bytes(mut body: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        let len = body.len();
        match edit {
            ByteEdit::Delete(i) if len > 0 => {
                body.remove(i.index(len));
            }
            ByteEdit::DeleteSpan(i, n) if len > 0 => {
                let at = i.index(len);
                body.drain(at..(at + n).min(len));
            }
            ByteEdit::Insert(i, b) => body.insert(i.index(len + 1), *b),
            ByteEdit::InsertText(i, t) => {
                let at = i.index(len + 1);
                body.splice(at..at, t.bytes());
            }
            ByteEdit::Replace(i, b) if len > 0 => {
                let at = i.index(len);
                body[at] = *b;
            }
            ByteEdit::Duplicate(i, n) if len > 0 => {
                let at = i.index(len);
                let piece = body[at..(at + n).min(len)].to_vec();
                body.splice(at..at, piece);
            }
            _ => {}
        }
    }
    body
}

/// A response for one API. Three in five are clean (status 200, a body of the right shape with
/// arbitrary values) so that fetches get past their first call and on to the next; some are
/// such bodies mutated or truncated; the rest are any status with a body of any kind (of the
/// right shape, mutated, truncated, a modeled error, random bytes, a random string, nothing).
pub(crate) fn reply(proto: Proto, valid: BoxedStrategy<Vec<u8>>) -> BoxedStrategy<Reply> {
    let damaged = prop_oneof![
        5 => (valid.clone(), vec(byte_edit(), 1..6)).prop_map(|(b, e)| edit_bytes(b, &e)),
        1 => (valid.clone(), any::<Index>()).prop_map(|(b, i)| {
            let cut = i.index(b.len() + 1);
            b[..cut].to_vec()
        }),
    ];
    let body = prop_oneof![
        3 => valid.clone().prop_map(|b| (b, Vec::new())),
        3 => damaged.clone().prop_map(|b| (b, Vec::new())),
        4 => error_body(proto),
        1 => vec(any::<u8>(), 0..96).prop_map(|b| (b, Vec::new())),
        1 => any::<String>().prop_map(|s| (s.into_bytes(), Vec::new())),
        1 => Just((Vec::new(), Vec::new())),
    ];
    let extra_header = prop_oneof![
        Just(("x-amzn-requestid".to_string(), "req-1".to_string())),
        Just(("x-amz-request-id".to_string(), "req-1".to_string())),
        ("content-type", "\\PC{0,16}").prop_map(|(n, v)| (n.to_string(), v)),
        ("x-amzn-errortype", error_code()).prop_map(|(n, v)| (n.to_string(), v)),
        ("content-length", "[0-9]{0,4}|-1|x").prop_map(|(n, v)| (n.to_string(), v)),
        ("[a-z-]{1,12}", "\\PC{0,12}"),
    ];
    let content_type = move || vec![("content-type".to_string(), proto.content_type().to_string())];
    prop_oneof![
        12 => valid.prop_map(move |body| Reply { status: 200, headers: content_type(), body }),
        3 => damaged.prop_map(move |body| Reply { status: 200, headers: content_type(), body }),
        5 => (status(), body, any::<bool>(), vec(extra_header, 0..3)).prop_map(
            move |(status, (body, mut headers), typed, extra)| {
                if typed {
                    headers.extend(content_type());
                }
                headers.extend(extra);
                Reply { status, headers, body }
            }
        ),
    ]
    .boxed()
}

// --- Template bodies ------------------------------------------------------------------------

/// Values for the placeholders of a template body: `{s}` a string, `{n}` a number, `{t}` an
/// epoch-seconds timestamp (JSON), `{d}` an ISO 8601 date-time, `{b}` a boolean. The k-th
/// placeholder of a kind takes the k-th value of its list (cycling).
#[derive(Debug, Clone)]
struct Fill {
    s: Vec<String>,
    n: Vec<String>,
    t: Vec<String>,
    d: Vec<String>,
    b: Vec<String>,
}

/// Names that make the code go further: this test's config, its records and targets.
const NAMES: &[&str] = &[
    "api.example.com.",
    "api.example.com",
    "API.Example.com.",
    "web.example.com",
    "us-east-1.api.example.com",
    "us-west-2.api.example.com.",
    "web-us-east-1.example.com",
    "d-abc.execute-api.us-east-1.amazonaws.com.",
    "d-xyz.execute-api.us-west-2.amazonaws.com",
    "hc-east",
    "hc-west",
    "hc-web",
    "PRIMARY",
    "SECONDARY",
    "A",
    "CNAME",
    "us-east-1",
    "us-west-2",
    "Success: HTTP Status Code 200, OK",
    "Failure: Connection timed out",
    "InProgress",
    "Succeeded",
    "Failed",
    "Approve",
    "ManualApproval",
    "api-fn",
    "web-fn",
    "builds/a.zip",
    "v-a",
    "null",
    "PENDING",
    "COMPLETED",
    "Enabled",
    "Disabled",
    "arn:aws:s3:::api-artifacts-us-west-2",
    "arn:aws:s3:::",
    ":::",
    "(none)",
    "e1",
    "tok-1",
    "",
];

const NOW_SECS: i64 = 1_793_620_800; // 2026-11-10T12:00:00Z, `aws_mocks_support::now()`
/// The first and last seconds chrono can hold (`DateTime::<Utc>::MIN_UTC` / `MAX_UTC`).
const CHRONO_MIN_SECS: i64 = -8_334_601_228_800;
pub(crate) const CHRONO_MAX_SECS: i64 = 8_210_266_876_799;
const TWO_WEEKS_SECS: i64 = 14 * 86_400;

/// Epoch seconds within two weeks of either end of chrono's range: SDK timestamps that convert
/// to a chrono time but leave no room for date arithmetic.
fn near_the_ends_of_time() -> impl Strategy<Value = i64> {
    prop_oneof![
        (0..TWO_WEEKS_SECS).prop_map(|d| CHRONO_MAX_SECS - d),
        (0..TWO_WEEKS_SECS).prop_map(|d| CHRONO_MIN_SECS + d),
    ]
}

/// Placeholder values: mostly well typed (so that the body parses and the code gets to use the
/// values, extreme ones included), sometimes anything (so that it does not).
fn fill() -> impl Strategy<Value = Fill> {
    prop_oneof![5 => typed_fill(), 1 => wild_fill()]
}

fn minutes_ago_iso(m: i64) -> String {
    chrono::DateTime::from_timestamp(NOW_SECS - m * 60, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn typed_fill() -> impl Strategy<Value = Fill> {
    let s = prop_oneof![
        8 => select(NAMES).prop_map(String::from),
        3 => "[A-Za-z0-9._:/ -]{0,16}",
        1 => "[a-zé中😀İ]{0,5}",
    ];
    let n = prop_oneof![
        10 => (0i64..100_000).prop_map(|n| n.to_string()),
        1 => select(vec!["-1", "0", "2147483647", "9223372036854775807", "-9223372036854775808"])
            .prop_map(String::from),
    ];
    let t = prop_oneof![
        8 => (0i64..120).prop_map(|m| (NOW_SECS - m * 60).to_string()),
        1 => (0i64..120).prop_map(|m| format!("{}.{m}", NOW_SECS - m * 60)),
        2 => near_the_ends_of_time().prop_map(|t| t.to_string()),
        1 => select(vec!["0", "-1", "1e20", "-1e20", "1.7e308", "8210266876800", "-8334601228801"])
            .prop_map(String::from),
    ];
    let d = prop_oneof![
        10 => (0i64..120).prop_map(minutes_ago_iso),
        2 => select(vec![
            "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
            "2026-11-10T12:00:00.123456789Z", "2026-11-10T13:00:00Z",
        ])
        .prop_map(String::from),
    ];
    let b = select(vec!["true", "false"]).prop_map(String::from);
    (
        vec(s, 1..6),
        vec(n, 1..4),
        vec(t, 1..4),
        vec(d, 1..4),
        vec(b, 1..4),
    )
        .prop_map(|(s, n, t, d, b)| Fill { s, n, t, d, b })
}

fn wild_fill() -> impl Strategy<Value = Fill> {
    let s = prop_oneof![
        4 => select(NAMES).prop_map(String::from),
        2 => "\\PC{0,8}",
        2 => select(vec!["<", "&", "\"", "\\", "]]>", "&lt;", "&#0;", "&#xD800;", "\\u0000", "\\ud800", "\u{0}"])
            .prop_map(String::from),
    ];
    let n = prop_oneof![
        2 => (0i64..100_000).prop_map(|n| n.to_string()),
        2 => select(vec![
            "-0", "18446744073709551616", "99999999999999999999999", "1e308", "-1e308", "1e999",
            "1.5", "NaN", "Infinity", "", "1e", "0x10", "+1", "01",
        ])
        .prop_map(String::from),
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ];
    let t = prop_oneof![
        2 => (0i64..120).prop_map(|m| (NOW_SECS - m * 60).to_string()),
        2 => select(vec![
            "8210266876799.5", "9223372036854775807", "-9223372036854775808",
            "\"2026-11-10T12:00:00Z\"", "null", "\"\"", "true", "[]",
        ])
        .prop_map(String::from),
        1 => any::<f64>().prop_map(|v| format!("{v:?}")),
    ];
    let d = prop_oneof![
        2 => (0i64..120).prop_map(minutes_ago_iso),
        3 => select(vec![
            "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-10T25:00:00Z",
            "2026-11-10T12:00:60Z", "2026-11-10 12:00:00", "2026-11-10T12:00:00+01:00",
            "2026-11-10T12:00:00", "+262143-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
            "99999-01-01T00:00:00Z", "", "x", "1793620800",
        ])
        .prop_map(String::from),
    ];
    let b = select(vec![
        "true", "false", "True", "FALSE", "1", "0", "yes", "", "null", "\"true\"",
    ])
    .prop_map(String::from);
    (
        vec(s, 1..6),
        vec(n, 1..4),
        vec(t, 1..4),
        vec(d, 1..4),
        vec(b, 1..4),
    )
        .prop_map(|(s, n, t, d, b)| Fill { s, n, t, d, b })
}

fn fill_template(template: &str, fill: &Fill) -> Vec<u8> {
    let lists = [&fill.s, &fill.n, &fill.t, &fill.d, &fill.b];
    let mut used = [0usize; 5];
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match ["{s}", "{n}", "{t}", "{d}", "{b}"]
            .iter()
            .position(|p| tail.starts_with(p))
        {
            Some(k) => {
                let list = lists[k];
                out.push_str(&list[used[k] % list.len()]);
                used[k] += 1;
                rest = &tail[3..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

pub(crate) fn templated(templates: &'static [&'static str]) -> BoxedStrategy<Vec<u8>> {
    (select(templates), fill())
        .prop_map(|(template, fill)| fill_template(template, &fill))
        .boxed()
}

/// ListResourceRecordSets. No NextRecordName: a page that names the next one would be served
/// again and again by the mock (see `pagination_*` below).
pub(crate) const LIST_RECORDS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets>
<ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type><SetIdentifier>east</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><HostedZoneId>Z1UJRXOUMOOFQ8</HostedZoneId><DNSName>d-abc.execute-api.us-east-1.amazonaws.com.</DNSName><EvaluateTargetHealth>{b}</EvaluateTargetHealth></AliasTarget><HealthCheckId>hc-east</HealthCheckId></ResourceRecordSet>
<ResourceRecordSet><Name>{s}</Name><Type>{s}</Type><SetIdentifier>{s}</SetIdentifier><Failover>{s}</Failover><TTL>{n}</TTL><ResourceRecords><ResourceRecord><Value>{s}</Value></ResourceRecord></ResourceRecords><HealthCheckId>{s}</HealthCheckId></ResourceRecordSet>
<ResourceRecordSet><Name>{s}</Name><Type>A</Type><Failover>{s}</Failover><AliasTarget><HostedZoneId>Z2</HostedZoneId><DNSName>{s}</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget><HealthCheckId>{s}</HealthCheckId></ResourceRecordSet>
<ResourceRecordSet><Name>us-east-1.api.example.com.</Name><Type>CNAME</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>d-abc.execute-api.us-east-1.amazonaws.com</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>{b}</IsTruncated><MaxItems>{n}</MaxItems></ListResourceRecordSetsResponse>"#,
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#,
    r#"<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>{s}</Name><Type>{s}</Type><ResourceRecords/></ResourceRecordSet><ResourceRecordSet><Name>{s}</Name></ResourceRecordSet></ResourceRecordSets><IsTruncated>{b}</IsTruncated></ListResourceRecordSetsResponse>"#,
];

pub(crate) const GET_HEALTH_CHECK: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<GetHealthCheckResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheck><Id>{s}</Id><CallerReference>{s}</CallerReference><HealthCheckConfig><Port>{n}</Port><Type>HTTPS</Type><ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>{s}</FullyQualifiedDomainName><RequestInterval>{n}</RequestInterval><FailureThreshold>{n}</FailureThreshold><Inverted>{b}</Inverted><Disabled>{b}</Disabled></HealthCheckConfig><HealthCheckVersion>{n}</HealthCheckVersion></HealthCheck></GetHealthCheckResponse>"#,
    r#"<GetHealthCheckResponse><HealthCheck><Id>{s}</Id></HealthCheck></GetHealthCheckResponse>"#,
    r#"<GetHealthCheckResponse/>"#,
];

pub(crate) const GET_HEALTH_CHECK_STATUS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<GetHealthCheckStatusResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheckObservations>
<HealthCheckObservation><Region>us-east-1</Region><IPAddress>15.177.2.1</IPAddress><StatusReport><Status>Success: HTTP Status Code 200, OK</Status><CheckedTime>{d}</CheckedTime></StatusReport></HealthCheckObservation>
<HealthCheckObservation><Region>{s}</Region><IPAddress>{s}</IPAddress><StatusReport><Status>{s}</Status><CheckedTime>{d}</CheckedTime></StatusReport></HealthCheckObservation>
<HealthCheckObservation><Region>eu-west-1</Region><StatusReport><Status>{s}</Status></StatusReport></HealthCheckObservation>
<HealthCheckObservation/>
</HealthCheckObservations></GetHealthCheckStatusResponse>"#,
    r#"<GetHealthCheckStatusResponse><HealthCheckObservations/></GetHealthCheckStatusResponse>"#,
];

pub(crate) const S3_LIST_VERSIONS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>api-artifacts-us-east-1</Name><Prefix>builds/</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>{b}</IsTruncated>
<Version><Key>builds/a.zip</Key><VersionId>v-a</VersionId><IsLatest>true</IsLatest><LastModified>{d}</LastModified><ETag>&quot;ea&quot;</ETag><Size>{n}</Size><StorageClass>STANDARD</StorageClass></Version>
<Version><Key>{s}</Key><VersionId>{s}</VersionId><IsLatest>{b}</IsLatest><LastModified>{d}</LastModified><ETag>{s}</ETag><Size>{n}</Size><StorageClass>STANDARD</StorageClass></Version>
<Version><Key>builds/b.zip</Key><VersionId>{s}</VersionId><LastModified>{d}</LastModified></Version>
<DeleteMarker><Key>builds/old.zip</Key><VersionId>dm</VersionId><IsLatest>true</IsLatest><LastModified>{d}</LastModified></DeleteMarker>
<NextKeyMarker>{s}</NextKeyMarker><NextVersionIdMarker>{s}</NextVersionIdMarker></ListVersionsResult>"#,
    r#"<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>{s}</Key><VersionId>{s}</VersionId><LastModified>{d}</LastModified><Size>{n}</Size></Version></ListVersionsResult>"#,
    r#"<ListVersionsResult/>"#,
];

pub(crate) const S3_GET_REPLICATION: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>arn:aws:iam::111122223333:role/replication</Role>
<Rule><ID>to-west</ID><Status>Enabled</Status><Priority>1</Priority><Filter><Prefix>builds/</Prefix></Filter><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>arn:aws:s3:::api-artifacts-us-west-2</Bucket><ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime><Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics></Destination></Rule>
<Rule><ID>{s}</ID><Status>{s}</Status><Priority>{n}</Priority><Destination><Bucket>{s}</Bucket><Metrics><Status>{s}</Status></Metrics></Destination></Rule>
<Rule><Status>Enabled</Status><Destination><Bucket>{s}</Bucket></Destination></Rule>
</ReplicationConfiguration>"#,
    r#"<ReplicationConfiguration><Role>r</Role></ReplicationConfiguration>"#,
];

pub(crate) const APIGW_V1_DOMAINS: &[&str] = &[
    r#"{"item":[{"domainName":"api.example.com","regionalDomainName":"d-abc.execute-api.us-east-1.amazonaws.com","regionalHostedZoneId":"Z1UJRXOUMOOFQ8","endpointConfiguration":{"types":["REGIONAL"]},"domainNameStatus":"AVAILABLE","certificateUploadDate":{t}},{"domainName":"{s}","regionalDomainName":"{s}","certificateUploadDate":{t}},{"domainName":"us-east-1.api.example.com","regionalDomainName":"{s}"},{"domainName":null}]}"#,
    r#"{"item":[]}"#,
    r#"{}"#,
    r#"{"item":[{"domainName":"{s}","distributionDomainName":"{s}","endpointConfiguration":{"types":["{s}"]},"tags":{"{s}":"{s}"}}]}"#,
];

pub(crate) const APIGW_V1_MAPPINGS: &[&str] = &[
    r#"{"item":[{"basePath":"(none)","restApiId":"abc123","stage":"prod"},{"basePath":"{s}","restApiId":"{s}","stage":"{s}"},{}]}"#,
    r#"{"item":[]}"#,
];

pub(crate) const APIGW_V2_DOMAINS: &[&str] = &[
    r#"{"items":[{"domainName":"web.example.com","domainNameConfigurations":[{"apiGatewayDomainName":"d-xyz.execute-api.us-east-1.amazonaws.com","endpointType":"REGIONAL","hostedZoneId":"Z2","certificateUploadDate":"{d}","domainNameStatus":"AVAILABLE"}]},{"domainName":"{s}","domainNameConfigurations":[{"apiGatewayDomainName":"{s}"},{}]},{"domainName":"web-us-east-1.example.com","domainNameConfigurations":[]}]}"#,
    r#"{"items":[]}"#,
    r#"{"items":[{"domainName":"{s}","apiMappingSelectionExpression":"{s}","tags":{"{s}":"{s}"}}]}"#,
];

pub(crate) const APIGW_V2_MAPPINGS: &[&str] = &[
    r#"{"items":[{"apiId":"a1","apiMappingId":"m1","apiMappingKey":"","stage":"$default"},{"apiId":"{s}","apiMappingId":"{s}","apiMappingKey":"{s}","stage":"{s}"}]}"#,
    r#"{"items":[]}"#,
];

/// API Gateway v1 GetResources with `embed=methods`: Lambda integrations (qualified, through a
/// stage variable, unqualified) and anything else.
pub(crate) const APIGW_V1_RESOURCES: &[&str] = &[
    r#"{"item":[{"id":"r1","path":"/orders","resourceMethods":{"ANY":{"httpMethod":"ANY","methodIntegration":{"type":"AWS_PROXY","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:api-fn:{s}/invocations"}}}},{"id":"{s}","resourceMethods":{"{s}":{"methodIntegration":{"uri":"{s}"}},"GET":{}}},{"id":"r3","resourceMethods":{"POST":{"methodIntegration":{"type":"AWS_PROXY","uri":"arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:111122223333:function:{s}:${stageVariables.alias}/invocations"}}}}]}"#,
    r#"{"item":[{"id":"r1","resourceMethods":{"ANY":{"methodIntegration":{"uri":"arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:1:function:api-worker/invocations"}}}}]}"#,
    r#"{"item":[]}"#,
];

/// API Gateway v2 GetIntegrations: the function ARN, qualified or not, or anything else.
pub(crate) const APIGW_V2_INTEGRATIONS: &[&str] = &[
    r#"{"items":[{"integrationId":"i1","integrationType":"AWS_PROXY","integrationUri":"arn:aws:lambda:us-east-1:111122223333:function:api-fn:{s}"},{"integrationUri":"{s}"},{"integrationUri":"arn:aws:lambda:us-west-2:1:function:{s}:${stageVariables.{s}}"},{}]}"#,
    r#"{"items":[]}"#,
];

/// GetStage, v1 (`variables`) and v2 (`stageVariables`) in one body each.
pub(crate) const APIGW_STAGE: &[&str] = &[
    r#"{"stageName":"prod","variables":{"alias":"{s}","{s}":"{s}"},"stageVariables":{"alias":"{s}"}}"#,
    r#"{"stageName":"{s}"}"#,
];

pub(crate) const LAMBDA_CONFIGURATION: &[&str] = &[
    r#"{"FunctionName":"api-fn","FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:api-fn","Runtime":"provided.al2023","CodeSha256":"{s}","CodeSize":{n},"MemorySize":{n},"Timeout":{n},"LastModified":"{d}","State":"{s}","Version":"$LATEST","Architectures":["arm64"],"Environment":{"Variables":{"{s}":"{s}"}}}"#,
    r#"{"FunctionName":"{s}","MemorySize":{n}}"#,
    r#"{}"#,
];

pub(crate) const PIPELINE_STATE: &[&str] = &[
    r#"{"pipelineName":"api-deploy","pipelineVersion":{n},"created":{t},"updated":{t},"stageStates":[
{"stageName":"Source","inboundTransitionState":{"enabled":true},"latestExecution":{"pipelineExecutionId":"e1","status":"Succeeded"},"actionStates":[{"actionName":"Source","currentRevision":{"revisionId":"{s}"},"latestExecution":{"status":"Succeeded","lastStatusChange":{t},"externalExecutionId":"abc"}}]},
{"stageName":"{s}","latestExecution":{"pipelineExecutionId":"{s}","status":"{s}"},"actionStates":[{"actionName":"{s}","latestExecution":{"status":"{s}","token":"{s}","lastStatusChange":{t}}}]},
{"stageName":"Approve","latestExecution":{"pipelineExecutionId":"e1","status":"InProgress"},"actionStates":[{"actionName":"Approve","latestExecution":{"actionExecutionId":"x","status":"InProgress","token":"tok-1","lastStatusChange":{t}}}]}
]}"#,
    r#"{"pipelineName":"{s}","stageStates":[]}"#,
    r#"{"stageStates":[{"actionStates":[{"latestExecution":{"status":"InProgress","token":"{s}"}}]},{}]}"#,
];

pub(crate) const PIPELINE_DECLARATION: &[&str] = &[
    r#"{"pipeline":{"name":"api-deploy","roleArn":"arn:aws:iam::1:role/p","version":{n},"stages":[
{"name":"Source","actions":[{"name":"Source","actionTypeId":{"category":"Source","owner":"AWS","provider":"S3","version":"1"}}]},
{"name":"{s}","actions":[{"name":"{s}","actionTypeId":{"category":"{s}","owner":"AWS","provider":"{s}","version":"1"},"timeoutInMinutes":{n}}]},
{"name":"Approve","actions":[{"name":"Approve","actionTypeId":{"category":"Approval","owner":"AWS","provider":"Manual","version":"1"},"timeoutInMinutes":{n}}]}
]},"metadata":{"pipelineArn":"{s}"}}"#,
    r#"{"pipeline":{"name":"{s}","roleArn":"r","stages":[{"name":"{s}","actions":[]}]}}"#,
    r#"{}"#,
];

pub(crate) const PIPELINE_EXECUTION: &[&str] = &[
    r#"{"pipelineExecution":{"pipelineName":"api-deploy","pipelineVersion":1,"pipelineExecutionId":"e1","status":"{s}","artifactRevisions":[{"name":"SourceArtifact","revisionId":"{s}","revisionSummary":"{s}","created":{t}},{"name":"{s}"},{}]}}"#,
    r#"{"pipelineExecution":{}}"#,
    r#"{}"#,
];

// --- CloudWatch GetMetricData (Smithy RPC v2 CBOR) ------------------------------------------

/// Enough CBOR (RFC 8949) to write GetMetricData answers.
#[derive(Debug, Clone)]
pub(crate) enum Cbor {
    Int(i64),
    F64(f64),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(String, Cbor)>),
    /// Tag 1: epoch-seconds date-time.
    Time(Box<Cbor>),
    Null,
}

fn cbor_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let major = major << 5;
    if n < 24 {
        out.push(major | n as u8);
    } else if n <= 0xff {
        out.push(major | 24);
        out.push(n as u8);
    } else if n <= 0xffff {
        out.push(major | 25);
        out.extend((n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(major | 26);
        out.extend((n as u32).to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend(n.to_be_bytes());
    }
}

fn encode_into(out: &mut Vec<u8>, value: &Cbor) {
    match value {
        Cbor::Int(n) if *n >= 0 => cbor_head(out, 0, *n as u64),
        Cbor::Int(n) => cbor_head(out, 1, (-1 - *n) as u64),
        Cbor::F64(v) => {
            out.push(0xfb);
            out.extend(v.to_be_bytes());
        }
        Cbor::Text(s) => {
            cbor_head(out, 3, s.len() as u64);
            out.extend(s.as_bytes());
        }
        Cbor::Array(items) => {
            cbor_head(out, 4, items.len() as u64);
            for item in items {
                encode_into(out, item);
            }
        }
        Cbor::Map(pairs) => {
            cbor_head(out, 5, pairs.len() as u64);
            for (key, item) in pairs {
                encode_into(out, &Cbor::Text(key.clone()));
                encode_into(out, item);
            }
        }
        Cbor::Time(inner) => {
            cbor_head(out, 6, 1);
            encode_into(out, inner);
        }
        Cbor::Null => out.push(0xf6),
    }
}

pub(crate) fn encode(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(&mut out, value);
    out
}

/// Query IDs the sources ask for (Route 53 health, Lambda, S3 replication) and a few others.
const METRIC_IDS: &[&str] = &[
    "s0", "p0", "s1", "p1", "s2", "p2", "f0_inv", "f0_err", "f0_thr", "f0_p99", "f0_avg", "f0_con",
    "f1_inv", "f1_err", "f1_p99", "f1_avg", "f2_inv", "f2_con", "r0_lat", "r0_ops", "r0_bytes",
    "r0_fail", "r1_lat", "x", "",
];

/// A GetMetricData answer of the right shape with arbitrary points: timestamps near now or
/// anywhere (including past what chrono can hold), values including NaN and infinities, and
/// timestamp and value lists of different lengths. Never a NextToken (see `pagination_*`).
pub(crate) fn metric_data_body() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![4 => metric_data(true), 1 => metric_data(false)].boxed()
}

/// `well_typed`: every timestamp a tagged epoch-seconds number and every value a double (any
/// double, anywhere in time); else also strings, untagged numbers, integers and nulls.
fn metric_data(well_typed: bool) -> BoxedStrategy<Vec<u8>> {
    let time = |v: Cbor| Cbor::Time(Box::new(v));
    let ill = u32::from(!well_typed);
    let timestamp = prop_oneof![
        16 => (0i64..90).prop_map(move |m| time(Cbor::Int(NOW_SECS - m * 60))),
        2 => (0i64..90).prop_map(move |m| time(Cbor::F64((NOW_SECS - m * 60) as f64 + 0.5))),
        1 => any::<i64>().prop_map(move |v| time(Cbor::Int(v))),
        1 => any::<f64>().prop_map(move |v| time(Cbor::F64(v))),
        2 => near_the_ends_of_time().prop_map(move |v| time(Cbor::Int(v))),
        1 => select(vec![CHRONO_MAX_SECS + 1, CHRONO_MIN_SECS - 1, 0, -1])
            .prop_map(move |v| time(Cbor::Int(v))),
        ill => Just(Cbor::Text("2026-11-10T12:00:00Z".into())),
        ill => Just(Cbor::Int(NOW_SECS)),
    ];
    let value = prop_oneof![
        16 => (0.0f64..1000.0).prop_map(Cbor::F64),
        2 => any::<f64>().prop_map(Cbor::F64),
        3 => select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, f64::MAX, f64::MIN, 1e19, -1.0])
            .prop_map(Cbor::F64),
        ill => any::<i64>().prop_map(Cbor::Int),
        ill => Just(Cbor::Null),
    ];
    let result = (
        select(METRIC_IDS),
        vec(timestamp, 0..6),
        vec(value, 0..6),
        select(vec![
            "Complete",
            "PartialData",
            "InternalError",
            "Forbidden",
            "",
        ]),
        any::<bool>(),
    )
        .prop_map(|(id, timestamps, values, code, messages)| {
            let mut pairs = vec![
                ("Id".to_string(), Cbor::Text(id.to_string())),
                ("Label".to_string(), Cbor::Text(id.to_string())),
                ("Timestamps".to_string(), Cbor::Array(timestamps)),
                ("Values".to_string(), Cbor::Array(values)),
                ("StatusCode".to_string(), Cbor::Text(code.to_string())),
            ];
            if messages {
                pairs.push((
                    "Messages".to_string(),
                    Cbor::Array(vec![Cbor::Map(vec![
                        (
                            "Code".to_string(),
                            Cbor::Text("MaxQueryTimeRangeExceed".into()),
                        ),
                        ("Value".to_string(), Cbor::Text("x".into())),
                    ])]),
                ));
            }
            Cbor::Map(pairs)
        });
    vec(result, 0..10)
        .prop_map(|results| {
            encode(&Cbor::Map(vec![
                ("MetricDataResults".to_string(), Cbor::Array(results)),
                ("Messages".to_string(), Cbor::Array(Vec::new())),
            ]))
        })
        .boxed()
}

/// HeadObject: no body, everything in headers; any of them garbled.
pub(crate) fn head_object_reply() -> BoxedStrategy<Reply> {
    let http_date = prop_oneof![
        Just("Tue, 10 Nov 2026 11:55:00 GMT".to_string()),
        Just("Mon, 01 Jan 0001 00:00:00 GMT".to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
        "\\PC{0,24}",
    ];
    let header = prop_oneof![
        3 => select(vec!["PENDING", "COMPLETED", "COMPLETE", "FAILED", "REPLICA", "pending", "", "X"])
            .prop_map(|v| ("x-amz-replication-status".to_string(), v.to_string())),
        2 => (0i64..100_000_000).prop_map(|n| ("content-length".to_string(), n.to_string())),
        1 => "[-0-9a-z.]{0,24}".prop_map(|v| ("content-length".to_string(), v)),
        1 => http_date.clone().prop_map(|v| ("last-modified".to_string(), v)),
        1 => http_date.prop_map(|v| ("expires".to_string(), v)),
        1 => "[-0-9a-zA-Z\"]{0,24}".prop_map(|v| ("etag".to_string(), v)),
        1 => "\\PC{0,16}".prop_map(|v| ("x-amz-version-id".to_string(), v)),
        1 => select(vec!["true", "false", "yes", ""]).prop_map(|v| ("x-amz-delete-marker".to_string(), v.to_string())),
        1 => "[-0-9x]{0,24}".prop_map(|v| ("x-amz-mp-parts-count".to_string(), v)),
        1 => "[-0-9x]{0,24}".prop_map(|v| ("x-amz-missing-meta".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-object-lock-retain-until-date".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-expiration".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-restore".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-checksum-crc32".to_string(), v)),
        1 => ("[a-z]{0,8}", "\\PC{0,16}").prop_map(|(k, v)| (format!("x-amz-meta-{k}"), v)),
        1 => ("[a-z-]{1,20}", "\\PC{0,16}"),
    ];
    let body = prop_oneof![
        6 => Just(Vec::new()),
        1 => error_body(Proto::S3Xml).prop_map(|(b, _)| b),
        1 => vec(any::<u8>(), 0..32),
    ];
    (status(), vec(header, 0..8), body)
        .prop_map(|(status, headers, body)| Reply {
            status,
            headers,
            body,
        })
        .boxed()
}
