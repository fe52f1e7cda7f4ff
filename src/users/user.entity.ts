import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from "typeorm";

@Entity({ name: "users" })
@Unique("users_email_key", ["email"])
export class UserEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "users_pkey" })
  id!: string;

  /** Stored lower-cased, so uniqueness is case-insensitive. */
  @Column({ type: "text" })
  email!: string;

  @Column({ type: "text" })
  name!: string;

  /** argon2id hash; the password itself is never stored. */
  @Column({ name: "password_hash", type: "text" })
  passwordHash!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
