from components import naming


def test_stack_names_round_trip():
    assert naming.parse_stack_name("dev-blue") == ("dev", "blue")
    assert naming.parse_stack_name("prod-green") == ("prod", "green")
    assert naming.parse_stack_name("dev") == ("dev", None)
    # A suffix that is not a colour is part of the environment name, not a colour.
    assert naming.parse_stack_name("dev-red") == ("dev-red", None)
    assert naming.stack_name("dev", "blue") == "dev-blue"


def test_physical_names_are_derived_from_identity_only():
    assert naming.resource_name("dev", "blue", "private", "a") == "faas-dev-blue-private-a"
    assert naming.resource_name("dev", None, "zone") == "faas-dev-zone"
    assert naming.cluster_name("prod", "green") == "faas-prod-green"


def test_dns_names():
    assert naming.env_zone_name("dev.example.com") == "faas.dev.example.com"
    assert naming.cluster_zone_name("dev.example.com", "blue") == "faas-blue.dev.example.com"
    assert naming.env_entry_names("dev.example.com") == {
        "dmz": "*.faas.dev.example.com",
        "internal": "*.internal.faas.dev.example.com",
    }
    assert naming.cluster_entry_names("d.example.com", "green")["internal"] == (
        "*.internal.faas-green.d.example.com"
    )
    assert naming.cutover_lock_name("faas.dev.example.com.") == (
        "_faas-cutover-lock.faas.dev.example.com"
    )


def test_tags_carry_every_required_key():
    t = naming.tags("dev", "blue", "faas-dev-blue-vpc", "network")
    assert set(naming.REQUIRED_TAGS) <= set(t)
    assert t["Color"] == "blue" and t["Name"] == "faas-dev-blue-vpc"
    assert "Color" not in naming.tags("dev", None, "faas-dev-zone", "environment")
