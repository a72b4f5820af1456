# shellcheck shell=bash
# Sourced by start.sh for the secured dev broker (--secure / MLBRIDGE_BROKER_SECURE=1): a SASL_SSL
# listener with SCRAM users admin, runner, client and other (a second client), a certificate from a
# dev CA made here, and ACLs enforced (StandardAuthorizer, nothing allowed without an ACL; admin
# is the super user; scripts/acl/acls.ts prints or applies mlbridge's ACLs).
# Everything lives in $RUN_DIR/security (made once, kept across restarts):
#   ca.pem ca.key          the dev CA (clients trust ca.pem)
#   broker.p12             the broker's key and certificate (CN=localhost, SAN IP:127.0.0.1, localhost)
#   client.pem client.key  a client certificate signed by the CA, for trying mutual TLS
#   <user>.password        the SCRAM password of each user (SCRAM-SHA-512 and -256), random
#   keystore.password      the PKCS12 store's password

SECURITY_DIR="$RUN_DIR/security"
SCRAM_USERS=(admin runner client other)

# Random passwords and certificates, once. Written to temporary names first, so an interrupted
# run never leaves a half-made set that would be taken as complete.
secure_prepare() {
  [[ -f "$SECURITY_DIR/ready" ]] && return 0
  command -v openssl >/dev/null || { echo "broker: openssl not found (needed to make the dev certificates)" >&2; return 1; }
  rm -rf "$SECURITY_DIR"
  mkdir -p "$SECURITY_DIR"
  chmod 700 "$SECURITY_DIR"
  local d="$SECURITY_DIR" user
  for user in "${SCRAM_USERS[@]}" keystore; do
    openssl rand -hex 16 >"$d/$user.password"
  done
  (
    set -e
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=mlbridge dev CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.pem -days 825 -extfile broker.ext
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -out broker.p12 -passout "file:keystore.password"
    openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=client"
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 825 -extfile client.ext
    rm -f ./*.csr ./*.ext
  ) >"$RUN_DIR/openssl.log" 2>&1 || { cat "$RUN_DIR/openssl.log" >&2; return 1; }
  chmod 600 "$d"/*.key "$d"/*.password
  touch "$d/ready"
}

secret() {
  tr -d '\n' <"$SECURITY_DIR/$1.password"
}

# The listener part of server.properties. Brokers talk to each other as admin over SASL_SSL; the
# controller listener is TLS with a required client certificate, the broker's own (CN=localhost),
# so no client reaches it, and its principal is a super user as the authorizer requires.
secure_listener_config() {
  local admin_password
  admin_password="$(secret admin)"
  local plain_users=""
  for user in "${SCRAM_USERS[@]}"; do plain_users+=" user_$user=\"$(secret "$user")\""; done
  cat <<EOF
listeners=SASL_SSL://$BROKER_HOST:$BROKER_PORT,CONTROLLER://$BROKER_HOST:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://$BROKER_HOST:$BROKER_PORT,CONTROLLER://$BROKER_HOST:$CONTROLLER_PORT
listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL
listener.name.controller.ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:CN=localhost
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$admin_password"$plain_users;
ssl.keystore.type=PKCS12
ssl.keystore.location=$SECURITY_DIR/broker.p12
ssl.keystore.password=$(secret keystore)
ssl.truststore.type=PEM
ssl.truststore.location=$SECURITY_DIR/ca.pem
# A client certificate signed by the dev CA is checked when offered (mutual TLS), not required.
ssl.client.auth=requested
EOF
}

# kafka-storage format --add-scram arguments: each user under both SCRAM mechanisms.
secure_format_args() {
  local user
  for user in "${SCRAM_USERS[@]}"; do
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$user,password=$(secret "$user")]" \
      --add-scram "SCRAM-SHA-256=[name=$user,password=$(secret "$user")]"
  done
}

# wait-ready.mjs arguments: connect as admin.
secure_wait_args() {
  printf '%s\n' --ca "$SECURITY_DIR/ca.pem" --sasl-user admin --sasl-password-file "$SECURITY_DIR/admin.password"
}

secure_print_settings() {
  cat <<EOF
broker: SASL_SSL on $BROKER_HOST:$BROKER_PORT; SCRAM-SHA-512/256 users ${SCRAM_USERS[*]}, passwords in $SECURITY_DIR/<user>.password
  ACLs are enforced: grant mlbridge's to runner and client first (default topic names; see --help of the script):
    node --import tsx scripts/acl/acls.ts --runner runner --client client --apply --bootstrap $BROKER_HOST:$BROKER_PORT \
      --ca $SECURITY_DIR/ca.pem --admin admin --admin-password-file $SECURITY_DIR/admin.password
  TypeScript client:
    brokers: ['$BROKER_HOST:$BROKER_PORT'], clientId: 'client',  // its ACLs cover ml.pipeline.reply.client-…
    ssl: {ca: [fs.readFileSync('$SECURITY_DIR/ca.pem', 'utf8')]},
    sasl: {mechanism: 'scram-sha-512', username: 'client', password: fs.readFileSync('$SECURITY_DIR/client.password', 'utf8').trim()},
  runner:
    mlbridge-runner --brokers $BROKER_HOST:$BROKER_PORT --security-protocol SASL_SSL --sasl-mechanism SCRAM-SHA-512 \\
      --sasl-username runner --sasl-password-file $SECURITY_DIR/runner.password --ssl-ca $SECURITY_DIR/ca.pem --pipelines ...
  mutual TLS: add the client certificate $SECURITY_DIR/client.pem and key $SECURITY_DIR/client.key
EOF
}
