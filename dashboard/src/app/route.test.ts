import { describe, expect, it } from "vitest";
import { hrefOf, parseRoute, type Route } from "./route.js";

describe("parseRoute", () => {
  it.each(["", "#", "#/", "#/settings", "#/device/", "#/device", "#device/laptop-042"])(
    "reads %j as the fleet",
    (hash) => {
      expect(parseRoute(hash)).toEqual({ page: "fleet" });
    },
  );

  it("reads the keys page", () => {
    for (const hash of ["#/keys", "#/keys/", "#/keys?x=1"]) {
      expect(parseRoute(hash)).toEqual({ page: "keys" });
    }
    expect(parseRoute("#/keysmith")).toEqual({ page: "fleet" });
  });

  it("reads the enrollment page", () => {
    for (const hash of ["#/enrollment", "#/enrollment/", "#/enrollment?all=1"]) {
      expect(parseRoute(hash)).toEqual({ page: "enrollment" });
    }
    expect(parseRoute("#/enrollments")).toEqual({ page: "fleet" });
  });

  it("reads a device page, its ID decoded", () => {
    expect(parseRoute("#/device/laptop-042")).toEqual({ page: "device", deviceId: "laptop-042" });
    expect(parseRoute("#/device/a%2Fb%20c")).toEqual({ page: "device", deviceId: "a/b c" });
  });

  it("stops the ID at the next slash, query or fragment", () => {
    for (const hash of ["#/device/dev-1/commands", "#/device/dev-1?tab=x", "#/device/dev-1#top"]) {
      expect(parseRoute(hash)).toEqual({ page: "device", deviceId: "dev-1" });
    }
  });

  it("reads a badly encoded ID as the fleet instead of throwing", () => {
    expect(parseRoute("#/device/100%")).toEqual({ page: "fleet" });
    expect(parseRoute("#/device/%E0%A4%A")).toEqual({ page: "fleet" });
  });
});

describe("hrefOf", () => {
  it.each<Route>([
    { page: "fleet" },
    { page: "keys" },
    { page: "enrollment" },
    { page: "device", deviceId: "laptop-042" },
    { page: "device", deviceId: "odd/id with space?#&%" },
    { page: "device", deviceId: "ünïcode" },
  ])("round-trips %j through parseRoute", (route) => {
    expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it("encodes what would end the ID", () => {
    expect(hrefOf({ page: "device", deviceId: "a/b?c" })).toBe("#/device/a%2Fb%3Fc");
    expect(hrefOf({ page: "fleet" })).toBe("#/");
  });
});
